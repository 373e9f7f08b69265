package org.funduslens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;
import org.funduslens.model.Analyzer;
import org.funduslens.model.BundleException;
import org.funduslens.model.InferenceException;
import org.funduslens.model.Preprocessor;
import org.funduslens.model.Reading;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bench}: medians of a full read and of the bare ONNX Runtime run on the same session and threads, the cold
 * and the second (cached) load, and the resident memory. Prints one JSON object (with --json) or a table.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure load time, a full read and the bare inference of a bundle on IMAGE.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ModelOptions modelOptions;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "10", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Parameters(paramLabel = "IMAGE", arity = "1")
    Path image;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (runs < 1 || warmup < 0) {
            err.println("bench: --runs must be at least 1 and --warmup at least 0.");
            return ExitCodes.BAD_ARGUMENTS;
        }
        Path dir = modelOptions.bundleDir();
        try {
            ImageLoader.load(image);
        } catch (ImageLoadException e) {
            err.println("bench: " + e.getMessage());
            return ExitCodes.UNREADABLE_INPUT;
        }
        try {
            long t0 = System.nanoTime();
            Analyzer first = Analyzer.open(dir, modelOptions.preferGpu());
            double loadMs = ms(t0);
            first.close();
            long t1 = System.nanoTime();
            try (Analyzer a = Analyzer.open(dir, modelOptions.preferGpu())) {
                double secondLoadMs = ms(t1);
                List<Double> reads = new ArrayList<>();
                List<Double> bare = new ArrayList<>();
                Map<String, List<Double>> stages = new LinkedHashMap<>();
                FundusImage img = ImageLoader.load(image);
                Preprocessor.Tensor t = a.preprocessor().preprocess(img);
                // reads and bare runs alternate, so that drift in the machine's speed affects both alike
                for (int i = 0; i < warmup + runs; i++) {
                    long s = System.nanoTime();
                    Reading r = a.analyze(image, 3);
                    double total = ms(s);
                    long b = System.nanoTime();
                    a.session().run(t.chw(), 1, t.size());
                    double bareMs = ms(b);
                    if (i >= warmup) {
                        reads.add(total);
                        bare.add(bareMs);
                        r.timingsMs().forEach((k, v) -> stages.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                    }
                }
                ObjectNode o = PredictCommand.JSON.createObjectNode();
                o.put("model", a.bundle().id());
                o.put("architecture", a.bundle().manifest().backbone().architecture());
                o.put("provider", a.provider().label());
                o.put("image", image.toAbsolutePath().normalize().toString());
                o.put("image_size", img.width() + "x" + img.height());
                o.put("runs", runs);
                o.put("threads", Runtime.getRuntime().availableProcessors());
                o.put("load_ms", round(loadMs));
                o.put("second_load_ms", round(secondLoadMs));
                double readMedian = median(reads);
                double bareMedian = median(bare);
                o.put("read_ms", round(readMedian));
                o.put("bare_inference_ms", round(bareMedian));
                o.put("read_over_bare", Math.round(readMedian / bareMedian * 1000) / 1000.0);
                ObjectNode st = o.putObject("stages_ms");
                stages.forEach((k, v) -> st.put(k, round(median(v))));
                long rss = residentKb();
                if (rss > 0) {
                    o.put("rss_mb", Math.round(rss / 1024.0));
                }
                if (json) {
                    out.println(PredictCommand.JSON.writeValueAsString(o));
                } else {
                    out.println(PredictCommand.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
                }
                return ExitCodes.OK;
            }
        } catch (BundleException e) {
            err.println("bench: " + e.getMessage());
            return ExitCodes.BAD_BUNDLE;
        } catch (InferenceException | ImageLoadException e) {
            err.println("bench: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }

    private static double ms(long since) {
        return (System.nanoTime() - since) / 1e6;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** VmRSS of this process from /proc (Linux); 0 elsewhere. */
    static long residentKb() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(Arrays.stream(line.substring(6).trim().split("\\s+")).findFirst().orElse("0")
                            .toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
