package org.funduslens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.funduslens.dicom.DicomException;
import org.funduslens.dicom.DicomFile;
import org.funduslens.dicom.DicomImages;
import org.funduslens.dicom.DicomParser;
import org.funduslens.dicom.OphthalmicInfo;
import org.funduslens.dicom.TransferSyntax;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dicom info} and {@code dicom export}: what a DICOM file, folder or medium holds, and one frame as PNG. */
@Command(name = "dicom", mixinStandardHelpOptions = true, description = "Inspect DICOM files and export frames.",
        subcommands = {DicomCommand.Info.class, DicomCommand.Export.class, DicomCommand.Web.class, DicomCommand.Bench.class})
public final class DicomCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** DICOM files under a path: the file itself, or every DICOM file in a folder (a DICOMDIR's folder included). */
    static List<Path> instances(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            if (path.getFileName().toString().equalsIgnoreCase("DICOMDIR") && path.getParent() != null) {
                return instances(path.getParent());
            }
            return List.of(path);
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                if (!p.getFileName().toString().equalsIgnoreCase("DICOMDIR") && DicomParser.isDicom(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "One line per instance (JSON with --json): UIDs, SOP class, transfer syntax, size, frames, laterality.")
    static final class Info implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "One JSON object per line.")
        boolean json;

        @Parameters(paramLabel = "PATH", description = "A DICOM file, a folder, or a DICOMDIR.")
        Path path;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.exists(path)) {
                err.println("dicom info: " + path + ": does not exist.");
                return ExitCodes.UNREADABLE_INPUT;
            }
            int code = ExitCodes.OK;
            for (Path p : instances(path)) {
                try {
                    DicomFile f = DicomParser.read(p, false);
                    OphthalmicInfo i = OphthalmicInfo.of(f);
                    ObjectNode o = PredictCommand.JSON.createObjectNode();
                    o.put("file", p.toAbsolutePath().normalize().toString());
                    o.put("sop_class_uid", i.sopClassUid());
                    o.put("sop_class", i.sopClassName());
                    o.put("study_instance_uid", i.studyInstanceUid());
                    o.put("series_instance_uid", i.seriesInstanceUid());
                    o.put("sop_instance_uid", i.sopInstanceUid());
                    o.put("transfer_syntax", i.transferSyntax());
                    o.put("transfer_syntax_name", TransferSyntax.name(i.transferSyntax()));
                    o.put("modality", i.modality());
                    o.put("rows", i.rows());
                    o.put("columns", i.columns());
                    o.put("frames", i.frames());
                    o.put("samples_per_pixel", i.samplesPerPixel());
                    o.put("bits_stored", i.bitsStored());
                    o.put("photometric_interpretation", i.photometric());
                    o.put("laterality", i.laterality());
                    o.put("has_pixels", f.hasPixels());
                    if (i.horizontalFieldOfView() != null) {
                        o.put("horizontal_field_of_view", i.horizontalFieldOfView());
                    }
                    if (i.pixelSpacing() != null) {
                        o.putArray("pixel_spacing").add(i.pixelSpacing()[0]).add(i.pixelSpacing()[1]);
                    }
                    o.put("acquisition_device", i.acquisitionDevice());
                    o.put("anatomic_region", i.anatomicRegion());
                    o.put("manufacturer", i.manufacturer());
                    o.put("model", i.model());
                    o.put("acquisition_datetime", i.acquisitionDateTime());
                    if (json) {
                        out.println(PredictCommand.JSON.writeValueAsString(o));
                    } else {
                        out.println(p + ": " + i.sopClassName() + ", " + i.columns() + "x" + i.rows() + ", " + i.frames()
                                + " frame(s), " + TransferSyntax.name(i.transferSyntax())
                                + (i.laterality() == null ? "" : ", laterality " + i.laterality()));
                    }
                } catch (DicomException e) {
                    err.println("dicom info: " + e.getMessage());
                    code = ExitCodes.UNREADABLE_INPUT;
                }
            }
            return code;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write one frame as PNG: 8-bit as decoded (grey frames windowed), RGB for colour images.")
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--frame", defaultValue = "1", description = "Frame number, from 1 (default: ${DEFAULT-VALUE}).")
        int frame;

        @Option(names = "--out", required = true, paramLabel = "FILE.png")
        Path out;

        @Parameters(paramLabel = "PATH")
        Path path;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            if (frame < 1) {
                err.println("dicom export: --frame counts from 1.");
                return ExitCodes.BAD_ARGUMENTS;
            }
            try {
                DicomImages.Picture p = DicomImages.read(path, frame - 1);
                BufferedImage img = new BufferedImage(p.width(), p.height(),
                        p.grey() ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
                byte[] rgb = p.rgb();
                if (p.grey()) {
                    byte[] g = new byte[p.width() * p.height()];
                    for (int i = 0; i < g.length; i++) {
                        g[i] = rgb[i * 3];
                    }
                    img.getRaster().setDataElements(0, 0, p.width(), p.height(), g);
                } else {
                    int[] row = new int[p.width()];
                    for (int y = 0; y < p.height(); y++) {
                        for (int x = 0; x < p.width(); x++) {
                            int o = (y * p.width() + x) * 3;
                            row[x] = (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | (rgb[o + 2] & 0xff);
                        }
                        img.setRGB(0, y, p.width(), 1, row, 0, p.width());
                    }
                }
                Path parent = out.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                ImageIO.write(img, "png", out.toFile());
                spec.commandLine().getOut().println(out.toAbsolutePath());
                return ExitCodes.OK;
            } catch (DicomException e) {
                err.println("dicom export: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            } catch (IOException e) {
                err.println("dicom export: " + out + ": cannot be written (" + e.getMessage() + ").");
                return ExitCodes.FAILED;
            }
        }
    }

    /** Server options of the web subcommands: --url, or the saved settings. */
    static final class Server {
        @Option(names = "--url", paramLabel = "URL", description = "DICOMweb base URL (default: the saved settings).")
        String url;

        @Option(names = "--auth", paramLabel = "KIND", description = "none, basic or bearer (the password or token is read "
                + "from the environment variable FUNDUSLENS_DICOMWEB_SECRET).")
        String auth;

        @Option(names = "--user", paramLabel = "NAME", description = "User name for basic authentication.")
        String user;

        @Option(names = "--save", description = "Keep these settings (in the user's config, readable by the owner only).")
        boolean save;

        static Path settingsFile() {
            return org.funduslens.dicom.DicomWebSettings.defaultFile();
        }

        org.funduslens.dicom.DicomWebSettings settings() throws IOException {
            if (url == null) {
                if (!Files.isRegularFile(settingsFile())) {
                    throw new IOException("no DICOMweb server is configured; give --url (and --save to keep it)");
                }
                return org.funduslens.dicom.DicomWebSettings.load(settingsFile());
            }
            var kind = auth == null ? org.funduslens.dicom.DicomWebSettings.Auth.NONE
                    : org.funduslens.dicom.DicomWebSettings.Auth.valueOf(auth.toUpperCase(java.util.Locale.ROOT));
            var s = new org.funduslens.dicom.DicomWebSettings(url, kind, user, System.getenv("FUNDUSLENS_DICOMWEB_SECRET"));
            if (save) {
                s.save(settingsFile());
            }
            return s;
        }
    }

    @Command(name = "web", mixinStandardHelpOptions = true, description = "Search a PACS and retrieve images over DICOMweb.",
            subcommands = {Search.class, Get.class})
    static final class Web implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true, description = "QIDO-RS: studies matching the criteria, one JSON line each.")
    static final class Search implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Server server;

        @Option(names = "--patient-id") String patientId;
        @Option(names = "--patient-name") String patientName;
        @Option(names = "--dates", paramLabel = "FROM-TO", description = "Study dates, e.g. 20240101-20241231.") String dates;
        @Option(names = "--modality", description = "e.g. OP or XC") String modality;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                var client = new org.funduslens.dicom.DicomWebClient(server.settings());
                var q = new java.util.LinkedHashMap<String, String>();
                q.put("PatientID", patientId);
                q.put("PatientName", patientName);
                q.put("StudyDate", dates);
                q.put("ModalitiesInStudy", modality);
                for (var st : client.searchStudies(q)) {
                    ObjectNode o = PredictCommand.JSON.createObjectNode();
                    o.put("study_instance_uid", st.studyUid());
                    o.put("patient_id", st.patientId());
                    o.put("patient_name", st.patientName());
                    o.put("study_date", st.date());
                    o.put("description", st.description());
                    o.put("modalities", st.modalities());
                    spec.commandLine().getOut().println(PredictCommand.JSON.writeValueAsString(o));
                }
                return ExitCodes.OK;
            } catch (org.funduslens.dicom.DicomWebException | IOException | IllegalArgumentException e) {
                err.println("dicom web search: " + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "WADO-RS: retrieve a study's instances (optionally of one modality) into a folder; prints each file.")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Server server;

        @Option(names = "--study", required = true, paramLabel = "UID") String study;
        @Option(names = "--modality", description = "e.g. OP") String modality;
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                var client = new org.funduslens.dicom.DicomWebClient(server.settings());
                for (var ref : client.searchInstances(study, modality)) {
                    spec.commandLine().getOut().println(client.retrieve(ref, out).toAbsolutePath());
                }
                return ExitCodes.OK;
            } catch (org.funduslens.dicom.DicomWebException | IOException | IllegalArgumentException e) {
                err.println("dicom web get: " + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Median time to decode a frame of FILE, or to list a folder or DICOMDIR (one JSON object).")
    static final class Bench implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--runs", defaultValue = "5") int runs;

        @picocli.CommandLine.Parameters(paramLabel = "PATH") Path path;

        @Override
        public Integer call() throws IOException {
            List<Double> times = new ArrayList<>();
            ObjectNode o = PredictCommand.JSON.createObjectNode();
            try {
                for (int i = 0; i < runs + 1; i++) {
                    long t0 = System.nanoTime();
                    if (Files.isDirectory(path) || path.getFileName().toString().equalsIgnoreCase("DICOMDIR")) {
                        var tree = org.funduslens.dicom.StudyTree.open(path);
                        o.put("instances", tree.instances().size());
                        o.put("what", "list");
                    } else {
                        var pic = DicomImages.read(path, 0);
                        o.put("what", "decode");
                        o.put("size", pic.width() + "x" + pic.height());
                        o.put("transfer_syntax", TransferSyntax.name(pic.info().transferSyntax()));
                    }
                    if (i > 0) {
                        times.add((System.nanoTime() - t0) / 1e6);
                    }
                }
            } catch (DicomException e) {
                spec.commandLine().getErr().println("dicom bench: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            }
            o.put("path", path.toAbsolutePath().normalize().toString());
            o.put("runs", runs);
            o.put("median_ms", Math.round(BenchCommand.median(times) * 10) / 10.0);
            spec.commandLine().getOut().println(PredictCommand.JSON.writeValueAsString(o));
            return ExitCodes.OK;
        }
    }
}
