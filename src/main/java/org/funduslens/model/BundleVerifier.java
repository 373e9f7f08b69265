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
 * on the session's provider and compares every output with PyTorch's, element by element, against the output's own
 * scale: {@code |ort - torch| <= tolerance + relativeTolerance * max|torch|}. (An element-wise relative test would
 * fail on values near zero, where float32 rounding in a 24-block network is large relative to the value but not to
 * the output.) The largest element-wise relative difference is reported as well.
 */
public final class BundleVerifier {
    private BundleVerifier() {}

    /** The comparison of one output. */
    public record Difference(String output, long[] shape, double maxAbs, double maxRel, long outside) {
        public boolean passed() {
            return outside == 0;
        }
    }

    public record Result(ExecutionProvider provider, int batch, List<Difference> outputs, double tolerance,
                         double relativeTolerance) {
        public boolean passed() {
            return outputs.stream().allMatch(Difference::passed);
        }

        public Map<String, Double> maxAbsDiff() {
            Map<String, Double> m = new LinkedHashMap<>();
            outputs.forEach(d -> m.put(d.output(), d.maxAbs()));
            return m;
        }
    }

    public static Result verify(InferenceSession session) throws BundleException, InferenceException {
        ModelBundle b = session.bundle();
        BundleManifest.Reference ref = b.manifest().reference();
        if (ref == null || ref.input() == null || ref.outputs() == null || ref.outputs().isEmpty()) {
            throw new BundleException(b.dir().resolve(ModelBundle.MANIFEST) + ": has no reference tensors to verify against.");
        }
        List<Integer> shape = ref.input().shape();
        if (shape.size() != 4 || shape.get(1) != 3 || !shape.get(2).equals(shape.get(3))) {
            throw new BundleException(b.dir().resolve(ModelBundle.MANIFEST) + ": the reference input shape " + shape
                    + " is not (batch, 3, size, size).");
        }
        int n = shape.get(0);
        int size = shape.get(3);
        double atol = ref.tolerance() > 0 ? ref.tolerance() : 1e-4;
        double rtol = ref.relativeTolerance() > 0 ? ref.relativeTolerance() : 1e-3;
        InferenceSession.Outputs out = session.run(read(b, ref.input()), n, size);
        List<Difference> diffs = new java.util.ArrayList<>();
        for (Map.Entry<String, BundleManifest.TensorFile> e : ref.outputs().entrySet()) {
            float[] expected = read(b, e.getValue());
            InferenceSession.Tensor actual = out.get(e.getKey());
            if (actual == null || actual.data().length != expected.length) {
                throw new BundleException(b.modelFile() + ": output '" + e.getKey() + "' does not match the reference shape "
                        + e.getValue().shape() + ".");
            }
            double scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            double bound = atol + rtol * scale;
            double maxAbs = 0;
            double maxRel = 0;
            long outside = 0;
            for (int i = 0; i < expected.length; i++) {
                double d = Math.abs((double) expected[i] - actual.data()[i]);
                double mag = Math.abs(expected[i]);
                maxAbs = Math.max(maxAbs, d);
                if (mag > 1e-6) {
                    maxRel = Math.max(maxRel, d / mag);
                }
                if (!(d <= bound)) {
                    outside++;
                }
            }
            diffs.add(new Difference(e.getKey(), actual.shape(), maxAbs, maxRel, outside));
        }
        return new Result(session.provider(), n, diffs, atol, rtol);
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
