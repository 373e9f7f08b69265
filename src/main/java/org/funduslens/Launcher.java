package org.funduslens;

import org.funduslens.app.FundusLensApp;
import org.funduslens.cli.FundusLensCli;
import org.funduslens.model.Offline;

/**
 * The jar's entry point (not a JavaFX Application subclass, so the jar starts with JavaFX on the class path).
 * A subcommand such as {@code predict} runs the CLI; anything else starts the window, opening any image named.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        Offline.ensure();
        if (FundusLensCli.isCommand(args)) {
            System.exit(FundusLensCli.run(args));
        }
        FundusLensApp.launchWindow(args);
    }
}
