package org.funduslens.model;

/** Where ONNX Runtime runs the network. */
public enum ExecutionProvider {
    CUDA("CUDA"),
    DIRECTML("DirectML"),
    COREML("CoreML"),
    CPU("CPU");

    private final String label;

    ExecutionProvider(String label) {
        this.label = label;
    }

    /** The name shown to people and written into the CLI JSON's {@code provider}. */
    public String label() {
        return label;
    }
}
