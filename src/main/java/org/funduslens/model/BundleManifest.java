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
        Source source) {

    public static final String SCHEMA = "funduslens-bundle/1";

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Backbone(String family, String architecture, int patch, int width, int depth, int heads,
                           int registers, int grid, String pooling) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Label(String code, String name) {}

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
    public record Outputs(String logits, String activation, String clsAttention) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String sha256, long bytes) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Reference(TensorFile input, Map<String, TensorFile> outputs, double tolerance) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TensorFile(String file, List<Integer> shape) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(String checkpoint, String checkpointSha256, String licence) {}
}
