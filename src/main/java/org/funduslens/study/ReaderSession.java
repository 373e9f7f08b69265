package org.funduslens.study;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One reader's pass through a study: which case comes next, in which arm, and what each read records. The plan is a
 * pure function of the protocol, the reader id and what the read log already holds, so a session that was killed
 * resumes at the next unread case with nothing lost and nothing read twice.
 *
 * <p>Sequential design: for each case in the reader's seeded order, the unaided read (locked once submitted), then
 * the aided read with the AI shown. Crossover: the cases are split in two halves; in session 1 one half is read
 * unaided and the other aided, in session 2 the other way round, counterbalanced by the reader's enrolment order;
 * session 2 opens only when the protocol's washout has passed since the reader's last session-1 read.
 */
public final class ReaderSession {
    public static final String UNAIDED = "unaided";
    public static final String AIDED = "aided";

    public enum Step { READING, WASHOUT, DONE }

    /** One read to do: the case, its arm, the session, and where it stands in the reader's order. */
    public record Task(StudyProtocol.Case item, String arm, int session, int orderIndex) {
        public boolean aided() {
            return AIDED.equals(arm);
        }
    }

    /** What the AI showed on an aided read. */
    public record AiShown(String bundleId, String bundleSha256, List<String> top, boolean heatmapOpened) {}

    private final StudyProtocol protocol;
    private final ReadLog log;
    private final String reader;
    private final Clock clock;
    private final String appVersion;
    private final List<Task> pending = new ArrayList<>();
    private final int total;
    private Instant washoutEnds;
    private long shownAt = -1;
    private long pausedSince = -1;
    private long pausedNanos;

    private ReaderSession(StudyProtocol protocol, ReadLog log, String reader, Clock clock, String appVersion) {
        this.protocol = protocol;
        this.log = log;
        this.reader = reader;
        this.clock = clock;
        this.appVersion = appVersion;
        this.total = protocol.cases().size() * 2;
    }

    /** Opens the reader's session at the next unread case. The reader must be enrolled. */
    public static ReaderSession open(StudyProtocol protocol, ReadLog log, String reader, Clock clock, String appVersion)
            throws DecisionLogException {
        List<ReadLog.Reader> enrolled = log.readers(protocol.id());
        int group = -1;
        for (int i = 0; i < enrolled.size(); i++) {
            if (enrolled.get(i).reader().equals(reader)) {
                group = i % 2;
            }
        }
        if (group < 0) {
            throw new DecisionLogException("Reader '" + reader + "' is not enrolled in " + protocol.id() + ".", null);
        }
        ReaderSession s = new ReaderSession(protocol, log, reader, clock, appVersion);
        s.plan(group);
        return s;
    }

    private void plan(int group) throws DecisionLogException {
        Set<String> done = new HashSet<>();
        Instant lastFirstSession = null;
        for (ReadLog.Read r : log.currentReads(protocol.id())) {
            if (r.reader().equals(reader)) {
                done.add(r.arm() + "\u0000" + r.caseId());
                if (r.session() == 1) {
                    Instant at = Instant.parse(r.recordedAt());
                    lastFirstSession = lastFirstSession == null || at.isAfter(lastFirstSession) ? at : lastFirstSession;
                }
            }
        }
        List<StudyProtocol.Case> order = protocol.orderFor(reader);
        List<Task> all = new ArrayList<>();
        if (protocol.design() == StudyProtocol.Design.SEQUENTIAL) {
            for (int k = 0; k < order.size(); k++) {
                all.add(new Task(order.get(k), UNAIDED, 1, k + 1));
                all.add(new Task(order.get(k), AIDED, 1, k + 1));
            }
        } else {
            Set<String> firstHalf = new LinkedHashSet<>();
            List<StudyProtocol.Case> cases = protocol.cases();
            for (int i = 0; i < (cases.size() + 1) / 2; i++) {
                firstHalf.add(cases.get(i).id());
            }
            for (int session = 1; session <= 2; session++) {
                for (int k = 0; k < order.size(); k++) {
                    boolean unaided = firstHalf.contains(order.get(k).id()) == ((group == 0) == (session == 1));
                    all.add(new Task(order.get(k), unaided ? UNAIDED : AIDED, session, k + 1));
                }
            }
        }
        for (Task t : all) {
            if (!done.contains(t.arm() + "\u0000" + t.item().id())) {
                pending.add(t);
            }
        }
        boolean firstSessionOpen = pending.stream().anyMatch(t -> t.session() == 1);
        if (!firstSessionOpen && !pending.isEmpty() && lastFirstSession != null) {
            Instant ends = lastFirstSession.plus(Duration.ofDays(protocol.washoutDays()));
            washoutEnds = clock.instant().isBefore(ends) ? ends : null;
        }
    }

    public String reader() {
        return reader;
    }

    public StudyProtocol protocol() {
        return protocol;
    }

    public Step step() {
        if (pending.isEmpty()) {
            return Step.DONE;
        }
        return washoutEnds != null ? Step.WASHOUT : Step.READING;
    }

    /** When session 2 opens, during a crossover washout; else null. */
    public Instant washoutEnds() {
        return washoutEnds;
    }

    /** The read to do now, or null when the session is done or waiting out the washout. */
    public Task current() {
        return step() == Step.READING ? pending.get(0) : null;
    }

    /** Reads submitted so far (of both arms) and in all. */
    public int readsDone() {
        return total - pending.size();
    }

    public int readsTotal() {
        return total;
    }

    /** The case is on screen: time on case counts from here. */
    public void shown() {
        shownAt = System.nanoTime();
        pausedNanos = 0;
        pausedSince = -1;
    }

    /** Pauses the clock (the reader stepped away); pauses are excluded from time on case. */
    public void pause() {
        if (pausedSince < 0) {
            pausedSince = System.nanoTime();
        }
    }

    public void resume() {
        if (pausedSince >= 0) {
            pausedNanos += System.nanoTime() - pausedSince;
            pausedSince = -1;
        }
    }

    public boolean paused() {
        return pausedSince >= 0;
    }

    /** Time on the current case so far, pauses excluded. */
    public long elapsedMs() {
        if (shownAt < 0) {
            return 0;
        }
        long now = pausedSince >= 0 ? pausedSince : System.nanoTime();
        return Math.max(0, (now - shownAt - pausedNanos) / 1_000_000);
    }

    /** The unaided answers this reader gave for the case, or null (to show beside the AI in the aided read). */
    public List<String> unaidedAnswers(String caseId) throws DecisionLogException {
        ReadLog.Read r = log.latest(protocol.id(), reader, caseId, UNAIDED);
        return r == null ? null : r.answers();
    }

    /**
     * Saves the current read and moves on. {@code answers} are ranked label codes (the first required, no repeats),
     * {@code ai} what the AI showed (required for aided reads, null for unaided ones).
     */
    public long submit(List<String> answers, int confidence, AiShown ai) throws DecisionLogException {
        Task t = current();
        if (t == null) {
            throw new IllegalStateException("There is no case to read in this session.");
        }
        List<String> given = answers.stream().filter(a -> a != null && !a.isBlank()).toList();
        if (given.isEmpty()) {
            throw new IllegalArgumentException("Choose at least a first diagnosis before submitting.");
        }
        if (given.size() > protocol.rankedAnswers() || new HashSet<>(given).size() != given.size()) {
            throw new IllegalArgumentException("Give up to " + protocol.rankedAnswers() + " different diagnoses.");
        }
        for (String a : given) {
            if (!protocol.labels().contains(a)) {
                throw new IllegalArgumentException("'" + a + "' is not one of this study's diagnoses.");
            }
        }
        if (confidence < 1 || confidence > protocol.confidenceLevels()) {
            throw new IllegalArgumentException("Choose a confidence from 1 to " + protocol.confidenceLevels() + ".");
        }
        if (t.aided() != (ai != null)) {
            throw new IllegalArgumentException(t.aided() ? "An aided read records what the AI showed." : "An unaided read shows no AI.");
        }
        Boolean changed = null;
        if (t.aided() && protocol.design() == StudyProtocol.Design.SEQUENTIAL) {
            List<String> before = unaidedAnswers(t.item().id());
            changed = before != null && !before.equals(given);
        }
        long ms = elapsedMs();
        ReadLog.Read read = new ReadLog.Read(protocol.id(), protocol.sha256(), reader, t.item().id(), t.arm(), t.session(),
                t.orderIndex(), List.copyOf(given), confidence, ms, ai == null ? null : ai.bundleId(),
                ai == null ? null : ai.bundleSha256(), ai == null ? List.of() : List.copyOf(ai.top()),
                ai != null && ai.heatmapOpened(), changed, null, clock.instant().toString(), appVersion);
        long id = log.append(read);
        pending.remove(0);
        shownAt = -1;
        if (!pending.isEmpty() && pending.get(0).session() == 2 && t.session() == 1 && protocol.washoutDays() > 0) {
            washoutEnds = clock.instant().plus(Duration.ofDays(protocol.washoutDays()));
        }
        return id;
    }
}
