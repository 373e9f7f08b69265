package org.funduslens.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * The contents of a bundle's {@code bundle.json} (schema {@value #SCHEMA}; see docs/bundle-format.md).
 * Field names are snake_case in the file.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BundleManifest(
        String schema,
        String id,
        String name,
        boolean demo,
        String demoNotice,
        String task,
        Backbone backbone,
        List<Label> labels,
        InputRecipe input,
        Outputs outputs,
        Map<String, FileEntry> files,
        Reference reference,
        String intendedUse,
        Source source,
        Map<String, String> heatmaps,
        ZeroShot zeroShot,
        Exporter exporter) {

    public static final String SCHEMA = "funduslens-bundle/1";

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Backbone(String family, String architecture, int patch, int width, int depth, int heads,
                           int registers, int grid, String pooling, String posEmbed) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Label(String code, String name, String description) {
        public Label(String code, String name) {
            this(code, name, null);
        }
    }

    /** How a photograph becomes the network's input, exactly as the upstream evaluation transform does it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InputRecipe(int size, Resize resize, Crop crop, double scale, List<Double> mean, List<Double> std) {}

    /** {@code mode}: "shorter-side" (torchvision Resize(int)) or "square" (Resize((s, s))); interpolation as in PIL. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Resize(String mode, int size, String interpolation) {}

    /** {@code mode}: "center" or "none". */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Crop(String mode, int size) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Outputs(String logits, String activation, String clsAttention, String patchLogits, String embedding) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String sha256, long bytes) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Reference(TensorFile input, Map<String, TensorFile> outputs, double tolerance, double relativeTolerance) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TensorFile(String file, List<Integer> shape) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(String checkpoint, String checkpointSha256, String head, String headSha256, String licence) {}

    /** Zero-shot bundles: the prompt template and the text embeddings computed at export time. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ZeroShot(String template, String prompts, double logitScale, TensorFile textEmbeddings) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Exporter(String version, String torch, int opset, String created) {}
}
