package org.funduslens.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.funduslens.model.Offline;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command-line front end: a thin layer over the same core the GUI uses. */
@Command(name = "funduslens", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "FundusLens: retinal foundation models on fundus photographs, locally.",
        subcommands = {PredictCommand.class, PreprocessCommand.class, VerifyBundleCommand.class, BenchCommand.class,
                IndexCommand.class, DicomCommand.class, DecisionsCommand.class, StudyCommand.class,
                SelftestCommand.class})
public final class FundusLensCli implements Runnable {
    public static final Set<String> COMMANDS = Set.of("predict", "preprocess", "verify-bundle", "bench", "index", "dicom", "decisions", "study", "selftest", "help",
            "-h", "--help", "-V", "--version");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the CLI with UTF-8 output and returns the exit code (see {@link ExitCodes}). */
    public static int run(String... args) {
        Offline.ensure();
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        return run(out, err, args);
    }

    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new FundusLensCli());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("funduslens: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return ExitCodes.FAILED;
        });
        return cl.execute(args);
    }

    /** Whether these arguments are for the CLI (a subcommand or help) rather than the GUI. */
    public static boolean isCommand(String[] args) {
        return args.length > 0 && COMMANDS.contains(args[0]);
    }
}
