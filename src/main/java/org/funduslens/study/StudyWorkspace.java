package org.funduslens.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.funduslens.model.BundleCatalog;
import org.funduslens.study.analysis.StudyReport;

/**
 * A reader study as the coordinator opens it: the protocol, its read log (by default {@code NAME.reads.sqlite} beside
 * {@code NAME.json}), the AI bundle it names, the enrolled readers and their progress.
 */
public final class StudyWorkspace implements AutoCloseable {
    /** How far one reader has got: reads done per arm, of the cases in the study. */
    public record Progress(ReadLog.Reader reader, int unaided, int aided, int cases) {
        public boolean done() {
            return unaided == cases && aided == cases;
        }
    }

    private final StudyProtocol protocol;
    private final ReadLog log;
    private final Path logFile;

    private StudyWorkspace(StudyProtocol protocol, ReadLog log, Path logFile) {
        this.protocol = protocol;
        this.log = log;
        this.logFile = logFile;
    }

    public static Path defaultLog(Path protocolFile) {
        String name = protocolFile.getFileName().toString().replaceFirst("\\.json$", "");
        return protocolFile.toAbsolutePath().resolveSibling(name + ".reads.sqlite");
    }

    public static StudyWorkspace open(Path protocolFile, Path logFile) throws IOException, DecisionLogException {
        StudyProtocol p = StudyProtocol.read(protocolFile);
        for (StudyProtocol.Case c : p.cases()) {
            if (!Files.isRegularFile(p.imageOf(c))) {
                throw new IOException(protocolFile.getFileName() + ": case '" + c.id() + "' names " + p.imageOf(c)
                        + ", which does not exist.");
            }
        }
        Path db = logFile == null ? defaultLog(protocolFile) : logFile;
        return new StudyWorkspace(p, ReadLog.open(db), db);
    }

    public StudyProtocol protocol() {
        return protocol;
    }

    public ReadLog log() {
        return log;
    }

    public Path logFile() {
        return logFile;
    }

    /** The AI bundle's folder: the protocol's path, else an installed bundle with that id; null when neither exists. */
    public Path aiBundleDir() {
        Path direct = protocol.bundlePath();
        if (direct != null || protocol.bundle() == null) {
            return direct;
        }
        for (BundleCatalog.Entry e : BundleCatalog.installed()) {
            if (e.manifest() != null && protocol.bundle().equals(e.manifest().id())) {
                return e.dir();
            }
        }
        return null;
    }

    public void enrol(String reader, Integer years, String specialty, String country, Clock clock) throws DecisionLogException {
        log.enrol(new ReadLog.Reader(protocol.id(), reader, years, blankToNull(specialty), blankToNull(country),
                clock.instant().toString()));
    }

    public List<Progress> progress() throws DecisionLogException {
        List<ReadLog.Read> reads = log.currentReads(protocol.id());
        List<Progress> out = new ArrayList<>();
        for (ReadLog.Reader r : log.readers(protocol.id())) {
            int u = (int) reads.stream().filter(x -> x.reader().equals(r.reader()) && x.arm().equals(ReaderSession.UNAIDED)).count();
            int a = (int) reads.stream().filter(x -> x.reader().equals(r.reader()) && x.arm().equals(ReaderSession.AIDED)).count();
            out.add(new Progress(r, u, a, protocol.cases().size()));
        }
        return out;
    }

    public ReaderSession session(String reader, Clock clock, String appVersion) throws DecisionLogException {
        return ReaderSession.open(protocol, log, reader, clock, appVersion);
    }

    public StudyReport report() throws DecisionLogException {
        return StudyReport.compute(protocol, log.currentReads(protocol.id()), log.readers(protocol.id()));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public void close() {
        log.close();
    }
}
