package org.funduslens.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session (through DJL's OnnxRuntime engine) for one bundle. The execution provider is chosen
 * here, once, when the session opens: the first GPU provider that this ONNX Runtime build offers and that starts
 * (CUDA, then DirectML, then CoreML), otherwise the CPU. A GPU provider that fails falls back to the CPU with a
 * notice saying why. The graph optimised for the provider is cached per bundle hash, provider and ONNX Runtime
 * version ({@link OptimizedModelCache}), so the second load skips the optimisation.
 */
public final class InferenceSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceSession.class);

    /** One output of the network: a flat float32 array and its shape. */
    public record Tensor(float[] data, long[] shape) {}

    /** What the network returned for a batch, by ONNX output name, in the session's order. */
    public record Outputs(java.util.Map<String, Tensor> byName) {
        public Tensor get(String name) {
            return name == null ? null : byName.get(name);
        }

        /** The outputs of the i-th image of the batch, each with a batch dimension of 1. */
        public Outputs slice(int i) {
            java.util.Map<String, Tensor> one = new java.util.LinkedHashMap<>();
            byName.forEach((k, t) -> {
                long n = t.shape()[0];
                int per = (int) (t.data().length / n);
                long[] shape = t.shape().clone();
                shape[0] = 1;
                one.put(k, new Tensor(java.util.Arrays.copyOfRange(t.data(), i * per, (i + 1) * per), shape));
            });
            return new Outputs(java.util.Collections.unmodifiableMap(one));
        }
    }

    private final ModelBundle bundle;
    private final Model model;
    private final OrtSession.SessionOptions sessionOptions;
    private final Predictor<NDList, NDList> predictor;
    private final ExecutionProvider provider;
    private final String providerNotice;

    /** A loaded network and the options it was created with (closed with it). */
    private record Loaded(Model model, OrtSession.SessionOptions options) {}

    private InferenceSession(ModelBundle bundle, Loaded loaded, ExecutionProvider provider, String notice) {
        this.bundle = bundle;
        this.model = loaded.model();
        this.sessionOptions = loaded.options();
        this.predictor = model.newPredictor(new NoopTranslator());
        this.provider = provider;
        this.providerNotice = notice;
    }

    /** Opens the bundle's network; {@code preferGpu} false forces the CPU. */
    public static InferenceSession open(ModelBundle bundle, boolean preferGpu) throws BundleException {
        Offline.ensure();
        Engine.getEngine("OnnxRuntime");
        List<String> failures = new ArrayList<>();
        if (preferGpu) {
            Set<ExecutionProvider> offered = offeredProviders();
            for (ExecutionProvider p : GPU_ORDER) {
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

    /** The order GPU providers are tried in; a build offers at most the ones compiled into it. */
    static final List<ExecutionProvider> GPU_ORDER =
            List.of(ExecutionProvider.CUDA, ExecutionProvider.DIRECTML, ExecutionProvider.COREML);

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

    /** Session options for one provider: threads, graph optimisation, and the provider itself (CPU is always last). */
    static OrtSession.SessionOptions options(ExecutionProvider p, OrtSession.SessionOptions.OptLevel level)
            throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setIntraOpNumThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(level);
            switch (p) {
                case CUDA -> so.addCUDA(0);
                case DIRECTML -> so.addDirectML(0);
                case COREML -> so.addCoreML();
                default -> { }
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    private static Loaded load(ModelBundle bundle, ExecutionProvider p) throws Exception {
        OptimizedModelCache cache = OptimizedModelCache.forBundle(bundle, p);
        Path cached = cache.usable();
        if (cached != null) {
            try {
                long t0 = System.nanoTime();
                Loaded l = loadFile(bundle, p, cached, OrtSession.SessionOptions.OptLevel.NO_OPT, null);
                LOG.info("{}: optimised network for {} loaded from the cache in {} ms", bundle.id(), p.label(),
                        (System.nanoTime() - t0) / 1_000_000);
                return l;
            } catch (Exception e) {
                LOG.warn("{}: the cached optimised network could not be loaded ({}); using the bundle's", bundle.id(),
                        firstLine(e));
                cache.discard();
            }
        }
        long t0 = System.nanoTime();
        Loaded m = loadFile(bundle, p, bundle.modelFile(), OrtSession.SessionOptions.OptLevel.EXTENDED_OPT, cache);
        LOG.info("{}: network optimised for {} in {} ms", bundle.id(), p.label(), (System.nanoTime() - t0) / 1_000_000);
        cache.seal();
        return m;
    }

    private static Loaded loadFile(ModelBundle bundle, ExecutionProvider p, Path file, OrtSession.SessionOptions.OptLevel level,
                                  OptimizedModelCache writeTo) throws Exception {
        OrtSession.SessionOptions so = options(p, level);
        if (writeTo != null && writeTo.pending() != null) {
            so.setOptimizedModelFilePath(writeTo.pending().toString());
        }
        if (file.getFileName().toString().endsWith(".ort")) {
            so.addConfigEntry("session.load_model_format", "ORT");
            so.addConfigEntry("session.use_ort_model_bytes_directly", "1");
            so.addConfigEntry("session.use_ort_model_bytes_for_initializers", "1");
        }
        // without the CPU arena a ViT-L session stays about 0.7 GB smaller at no measurable cost in speed here
        // (docs/performance.md); -Dfunduslens.ort.arena=on restores ONNX Runtime's default
        if (!System.getProperty("funduslens.ort.arena", "off").equals("on")) {
            so.setCPUArenaAllocator(false);
            so.setMemoryPatternOptimization(false);
        }
        Model m = Model.newInstance(bundle.id(), Device.cpu(), "OnnxRuntime");
        try {
            String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
            m.load(file.getParent(), name, Map.of("sessionOptions", so));
            return new Loaded(m, so);
        } catch (Exception | UnsatisfiedLinkError e) {
            m.close();
            so.close();
            throw e;
        }
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
            java.util.Map<String, Tensor> named = new java.util.LinkedHashMap<>();
            for (int i = 0; i < out.size(); i++) {
                NDArray a = out.get(i);
                String name = a.getName() == null || a.getName().isEmpty() ? "output" + i : a.getName();
                named.put(name, new Tensor(a.toFloatArray(), a.getShape().getShape()));
            }
            if (!named.containsKey(bundle.manifest().outputs().logits())) {
                throw new IllegalStateException("the network has no output named " + bundle.manifest().outputs().logits()
                        + " (it has " + named.keySet() + ")");
            }
            return new Outputs(java.util.Collections.unmodifiableMap(named));
        } catch (TranslateException | RuntimeException e) {
            throw new InferenceException(bundle.modelFile() + ": inference failed (" + firstLine(e) + ").", e);
        }
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        sessionOptions.close();
    }
}
