package org.funduslens.dicom;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Jazzer over the DICOM parser and decoders: any input either reads or is refused with a {@link DicomException};
 * anything else (another exception, an OutOfMemoryError, a hang) is a finding. Without JAZZER_FUZZ the inputs kept
 * under DicomFuzzTestInputs run as regression tests; with JAZZER_FUZZ=1 Jazzer fuzzes for maxDuration.
 */
class DicomFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void parseAndDecode(byte[] data) throws Exception {
        Path f = Files.createTempFile("fuzz", ".dcm");
        try {
            Files.write(f, data);
            DicomFile df = DicomParser.read(f, true);
            if (df.hasPixels()) {
                PixelDecoder.decode(df, 0);
            }
            DicomImages.render(df, 0);
        } catch (DicomException expected) {
            // a one-sentence refusal is the right answer to a damaged file
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
