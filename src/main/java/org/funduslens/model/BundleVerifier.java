package org.funduslens.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays the reference batch the exporter stored in the bundle (the exact input PyTorch saw) through ONNX Runtime
 * on the session's provider and compares every output with PyTorch's.
 */
public final class BundleVerifier {
    private BundleVerifier() {}

    /** Largest absolute difference per output, and whether all are within the bundle's tolerance. */
    public record Result(ExecutionProvider provider, int batch, Map<String, Double> maxAbsDiff, double tolerance) {
        public boolean passed() {
            return maxAbsDiff.values().stream().allMatch(d -> d <= tolerance);
        }
    }

    public static Result verify(InferenceSession session) throws BundleException, InferenceException {
        ModelBundle b = session.bundle();
        BundleManifest.Reference ref = b.manifest().reference();
        if (ref == null || ref.input() == null || ref.outputs() == null) {
            throw new BundleException(b.dir().resolve(ModelBundle.MANIFEST) + ": has no reference tensors to verify against.");
        }
        List<Integer> shape = ref.input().shape();
        int n = shape.get(0);
        int size = shape.get(3);
        float[] input = read(b, ref.input());
        InferenceSession.Outputs out = session.run(input, n, size);
        Map<String, Double> diffs = new LinkedHashMap<>();
        for (Map.Entry<String, BundleManifest.TensorFile> e : ref.outputs().entrySet()) {
            float[] expected = read(b, e.getValue());
            float[] actual = e.getKey().equals(b.manifest().outputs().logits()) ? out.logits()
                    : e.getKey().equals(b.manifest().outputs().clsAttention()) ? out.clsAttention() : null;
            if (actual == null || actual.length != expected.length) {
                throw new BundleException(b.modelFile() + ": output '" + e.getKey() + "' does not match the reference shape "
                        + e.getValue().shape() + ".");
            }
            double max = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i] - actual[i]));
            }
            diffs.put(e.getKey(), max);
        }
        return new Result(session.provider(), n, diffs, ref.tolerance() > 0 ? ref.tolerance() : 1e-4);
    }

    static float[] read(ModelBundle b, BundleManifest.TensorFile t) throws BundleException {
        Path f = b.dir().resolve(t.file());
        long count = t.shape().stream().mapToLong(Integer::longValue).reduce(1, (x, y) -> x * y);
        try {
            byte[] bytes = Files.readAllBytes(f);
            if (bytes.length != count * 4) {
                throw new BundleException(f + ": holds " + bytes.length + " bytes, not the " + count * 4
                        + " that shape " + t.shape() + " needs.");
            }
            float[] v = new float[(int) count];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        } catch (IOException e) {
            throw new BundleException(f + ": cannot be read (" + e.getMessage() + ").", e);
        }
    }
}
