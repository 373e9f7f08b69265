package org.funduslens.cli;

import picocli.CommandLine;

/** picocli's --version. */
public final class Version implements CommandLine.IVersionProvider {
    public static String text() {
        return org.funduslens.util.AppVersion.text();
    }

    @Override
    public String[] getVersion() {
        return new String[] {"FundusLens " + text()};
    }
}
