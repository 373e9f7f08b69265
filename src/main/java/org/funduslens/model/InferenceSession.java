package org.funduslens.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session (through DJL's OnnxRuntime engine) for one bundle. The execution provider is chosen
 * here, once, when the session opens: the first GPU provider that this ONNX Runtime build offers and that starts,
 * otherwise the CPU. A GPU provider that fails falls back to the CPU with a notice saying why.
 */
public final class InferenceSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceSession.class);

    /** What the network returned for a batch, as flat arrays with their shapes. */
    public record Outputs(float[] logits, long[] logitsShape, float[] clsAttention, long[] clsAttentionShape) {}

    private final ModelBundle bundle;
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final ExecutionProvider provider;
    private final String providerNotice;

    private InferenceSession(ModelBundle bundle, ZooModel<NDList, NDList> model, ExecutionProvider provider, String notice) {
        this.bundle = bundle;
        this.model = model;
        this.predictor = model.newPredictor();
        this.provider = provider;
        this.providerNotice = notice;
    }

    /** Opens the bundle's network; {@code preferGpu} false forces the CPU. */
    public static InferenceSession open(ModelBundle bundle, boolean preferGpu) throws BundleException {
        Offline.ensure();
        Engine.getEngine("OnnxRuntime");
        Set<ExecutionProvider> offered = offeredProviders();
        List<String> failures = new ArrayList<>();
        if (preferGpu) {
            for (ExecutionProvider p : List.of(ExecutionProvider.CUDA, ExecutionProvider.COREML)) {
                if (!offered.contains(p)) {
                    continue;
                }
                try {
                    return new InferenceSession(bundle, load(bundle, p), p, null);
                } catch (Exception | UnsatisfiedLinkError e) {
                    String why = p.label() + " did not start (" + firstLine(e) + ")";
                    LOG.warn("{}: {}; falling back to the CPU", bundle.id(), why);
                    failures.add(why);
                }
            }
        }
        try {
            String notice = failures.isEmpty() ? null : String.join("; ", failures) + ": running on the CPU.";
            return new InferenceSession(bundle, load(bundle, ExecutionProvider.CPU), ExecutionProvider.CPU, notice);
        } catch (Exception e) {
            throw new BundleException(bundle.modelFile() + ": ONNX Runtime cannot load the network (" + firstLine(e) + ").", e);
        }
    }

    /** The providers this ONNX Runtime build contains (whether the hardware is there is only known when one starts). */
    public static Set<ExecutionProvider> offeredProviders() {
        Set<ExecutionProvider> out = EnumSet.of(ExecutionProvider.CPU);
        try {
            for (OrtProvider p : OrtEnvironment.getAvailableProviders()) {
                switch (p) {
                    case CUDA -> out.add(ExecutionProvider.CUDA);
                    case CORE_ML -> out.add(ExecutionProvider.COREML);
                    case DIRECT_ML -> out.add(ExecutionProvider.DIRECTML);
                    default -> { }
                }
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            LOG.warn("cannot list ONNX Runtime providers: {}", e.toString());
        }
        return out;
    }

    private static ZooModel<NDList, NDList> load(ModelBundle bundle, ExecutionProvider p)
            throws ModelNotFoundException, MalformedModelException, IOException {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        Criteria.Builder<NDList, NDList> b = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(bundle.modelFile())
                .optEngine("OnnxRuntime")
                .optTranslator(new NoopTranslator())
                .optOption("intraOpNumThreads", Integer.toString(threads))
                .optOption("interOpNumThreads", "1");
        switch (p) {
            case CUDA -> b.optDevice(Device.gpu(0));
            case COREML -> b.optDevice(Device.cpu()).optOption("ortDevice", "CoreML");
            default -> b.optDevice(Device.cpu());
        }
        return b.build().loadModel();
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m).strip();
    }

    public ExecutionProvider provider() {
        return provider;
    }

    /** Why the session is not on the GPU it tried first; null when nothing fell back. */
    public String providerNotice() {
        return providerNotice;
    }

    public ModelBundle bundle() {
        return bundle;
    }

    /** Runs a batch of {@code n} CHW images of side {@code size}, laid out one after another. */
    public Outputs run(float[] batch, int n, int size) throws InferenceException {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(FloatBuffer.wrap(batch), new Shape(n, 3, size, size));
            x.setName("pixel_values");
            NDList out = predictor.predict(new NDList(x));
            NDArray logits = byName(out, bundle.manifest().outputs().logits(), 0);
            String attnName = bundle.manifest().outputs().clsAttention();
            NDArray attn = attnName == null ? null : byName(out, attnName, 1);
            return new Outputs(logits.toFloatArray(), logits.getShape().getShape(),
                    attn == null ? null : attn.toFloatArray(), attn == null ? null : attn.getShape().getShape());
        } catch (TranslateException | RuntimeException e) {
            throw new InferenceException(bundle.modelFile() + ": inference failed (" + firstLine(e) + ").", e);
        }
    }

    private static NDArray byName(NDList list, String name, int fallbackIndex) {
        for (NDArray a : list) {
            if (name.equals(a.getName())) {
                return a;
            }
        }
        if (list.size() > fallbackIndex) {
            return list.get(fallbackIndex);
        }
        throw new IllegalStateException("the network has no output named " + name.toLowerCase(Locale.ROOT));
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }
}
