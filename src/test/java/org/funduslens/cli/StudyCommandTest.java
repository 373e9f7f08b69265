package org.funduslens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;

/** The {@code study analyze} contract on the Van Dyke reference data. */
class StudyCommandTest {
    private static Path vandyke() {
        return TestData.shared().resolve("mrmc/vandyke.csv");
    }

    @Test
    void theCliContract() throws Exception {
        var run = PredictCommandTest.cli("study", "analyze", "--data", vandyke().toString(), "--metric", "auc", "--cov",
                "jackknife", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode o = run.lines().get(0);
        assertEquals(0.91964573, o.get("reader_metric").get("0").get("0").asDouble(), 1e-8);
        assertEquals(0.94083736, o.get("treatment_means").get("1").asDouble(), 1e-8);
        assertEquals(4.456319, o.get("rrrc").get("f").asDouble(), 1e-6);
        assertEquals(0.0517, o.get("rrrc").get("p").asDouble(), 5e-5);
        assertEquals(2, o.get("rrrc").get("ci").size());
        assertTrue(o.get("frrc").has("chi2"));
        assertTrue(o.get("rrfc").has("ddf"));
        var delong = PredictCommandTest.cli("study", "analyze", "--data", vandyke().toString(), "--cov", "delong", "--json");
        assertEquals(0, delong.code(), delong.err());
        double f = delong.lines().get(0).get("rrrc").get("f").asDouble();
        assertTrue(f > 4 && f < 5, "DeLong covariances give a close but different F: " + f);
        assertEquals(2, PredictCommandTest.cli("study", "analyze", "--data", vandyke().toString(), "--metric", "accuracy",
                "--cov", "delong").code());
    }

}
