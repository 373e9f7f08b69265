package org.funduslens.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QIDO-RS search and WADO-RS retrieval against a real Orthanc (Debian's orthanc and orthanc-dicomweb). Orthanc has no
 * bind-address option, so it runs in a private network namespace ({@code unshare -n}, loopback only) together with
 * the FundusLens CLI that talks to it, and is stopped by its pid.
 */
class DicomWebTest {
    @TempDir
    Path tmp;

    @Test
    void searchAndRetrieveFromARealOrthanc() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/Orthanc")) && Files.isRegularFile(
                Path.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so")),
                "skipped: Orthanc is not installed (apt-get install orthanc orthanc-dicomweb)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/img2dcm")), "skipped: dcmtk is not installed");
        Process probe = new ProcessBuilder("unshare", "-n", "true").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor() == 0, "skipped: this machine does not allow a private network namespace (unshare -n)");

        Path op = TestData.ophthalmicDicom(tmp, TestData.shared().resolve("fundus/hrf/07_h.jpg"), "op.dcm", "-oph", "L");
        String study = DicomParser.read(op, false).dataset().string(Tag.STUDY_INSTANCE_UID);
        Files.writeString(tmp.resolve("orthanc.json"), """
            { "Name": "FUNDUSLENS-TEST", "StorageDirectory": "db", "IndexDirectory": "db",
              "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
              "HttpServerEnabled": true, "HttpPort": 18042, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
              "DicomServerEnabled": false,
              "DicomWeb": {"Enable": true, "Root": "/dicom-web/", "EnableWado": true, "Host": "127.0.0.1:18042", "Ssl": false} }
            """);
        String java = ProcessHandle.current().info().command().orElse("java");
        Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("pacs-study-browser.png")
                .toAbsolutePath();
        String cli = "'" + java + "' -Dai.djl.offline=true -Dfunduslens.data.dir='" + tmp.resolve("data") + "' -cp '"
                + System.getProperty("java.class.path") + "' org.funduslens.Launcher";
        String url = "http://127.0.0.1:18042/dicom-web";
        Files.writeString(tmp.resolve("run.sh"), String.join("\n",
                "cd '" + tmp + "'",
                "ip link set lo up",
                "Orthanc orthanc.json > orthanc.log 2>&1 & OPID=$!",
                "for i in $(seq 1 150); do curl -sf http://127.0.0.1:18042/system > /dev/null && break; sleep 0.2; done",
                "curl -sf -X POST http://127.0.0.1:18042/instances --data-binary @op.dcm > upload.json; echo $? > upload.rc",
                cli + " dicom web search --url " + url + " --modality OP > search.txt 2> search.err; echo $? > search.rc",
                cli + " dicom web search --url " + url + " --patient-id NOBODY > none.txt 2> none.err; echo $? > none.rc",
                cli + " dicom web get --url " + url + " --study " + study + " --modality OP --out retrieved > get.txt 2> get.err;"
                        + " echo $? > get.rc",
                cli + " dicom web search --url http://127.0.0.1:18043/dicom-web > down.txt 2> down.err; echo $? > down.rc",
                // the window's path: search, retrieve into the study browser, open the image (Monocle, headless)
                "'" + java + "' -Dai.djl.offline=true -Dfunduslens.data.dir='" + tmp.resolve("gui-data") + "'"
                        + " -Dglass.platform=Monocle -Dmonocle.platform=Headless -Dprism.order=sw -Djava.awt.headless=true"
                        + " -cp '" + System.getProperty("java.class.path") + "' org.funduslens.app.PacsWindowDriver " + url
                        + " SYNTH001 '" + shot + "' > gui.txt 2> gui.err; echo $? > gui.rc",
                "kill $OPID; wait $OPID",
                ""));
        Process p = new ProcessBuilder("unshare", "-n", "bash", tmp.resolve("run.sh").toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        String orthanc = Files.exists(tmp.resolve("orthanc.log")) ? Files.readString(tmp.resolve("orthanc.log")) : "";
        assertEquals("0", Files.readString(tmp.resolve("upload.rc")).strip(), log + orthanc);
        assertEquals("0", Files.readString(tmp.resolve("search.rc")).strip(), Files.readString(tmp.resolve("search.err")));
        String found = Files.readString(tmp.resolve("search.txt"));
        assertTrue(found.contains(study), found);
        assertTrue(found.contains("\"modalities\":\"OP\""), found);
        assertEquals("", Files.readString(tmp.resolve("none.txt")).strip(), "no study for an unknown patient");

        assertEquals("0", Files.readString(tmp.resolve("get.rc")).strip(), Files.readString(tmp.resolve("get.err")));
        List<String> files = Files.readAllLines(tmp.resolve("get.txt"));
        assertEquals(1, files.size(), files.toString());
        Path got = Path.of(files.get(0));
        assertTrue(got.toString().endsWith(".dcm"), got.toString());
        // the same pixels as the file that was stored
        Frame mine = PixelDecoder.decode(DicomParser.read(op, true), 0);
        Frame back = PixelDecoder.decode(DicomParser.read(got, true), 0);
        assertArrayEquals(mine.samples(), back.samples());
        assertEquals("L", OphthalmicInfo.of(DicomParser.read(got, false)).laterality());

        // the window searched the PACS, filled the study browser from it and read the image
        String gui = Files.readString(tmp.resolve("gui.txt"));
        assertEquals("0", Files.readString(tmp.resolve("gui.rc")).strip(), gui + Files.readString(tmp.resolve("gui.err")));
        assertTrue(gui.contains("search: 1 studies found. 1"), gui);
        assertTrue(gui.contains("browser: PACS 127.0.0.1"), gui);
        assertTrue(gui.contains("laterality L"), gui);
        assertTrue(gui.contains("reading: OS 3"), gui);
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the window");

        assertEquals("1", Files.readString(tmp.resolve("down.rc")).strip());
        String down = Files.readString(tmp.resolve("down.err"));
        assertTrue(down.contains("cannot reach the server"), down);
        assertEquals(1, down.strip().lines().count(), down);
    }
}
