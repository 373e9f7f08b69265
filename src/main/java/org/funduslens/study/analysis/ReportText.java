package org.funduslens.study.analysis;

import java.util.Locale;
import org.funduslens.study.ReadLog;

/** How the study report writes its figures, one place for the HTML report and the in-app analysis view. */
public final class ReportText {
    private ReportText() {}

    public static String profile(ReadLog.Reader p) {
        if (p == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        if (p.yearsOfExperience() != null) {
            b.append(p.yearsOfExperience()).append(" y");
        }
        for (String s : new String[] {p.specialty(), p.country()}) {
            if (s != null && !s.isBlank()) {
                b.append(b.isEmpty() ? "" : ", ").append(s);
            }
        }
        return b.toString();
    }

    public static String prop(StudyReport.Proportion p) {
        if (p.n() == 0) {
            return "\u2014";
        }
        return String.format(Locale.ROOT, "%d/%d = %.0f %% (%.0f\u2013%.0f %%)", p.k(), p.n(), 100 * p.estimate(), 100 * p.low(), 100 * p.high());
    }

    public static String pct(double v) {
        return Double.isNaN(v) ? "\u2014" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

    public static String signedPct(double v) {
        return Double.isNaN(v) ? "\u2014" : String.format(Locale.ROOT, "%+.1f points", 100 * v);
    }

    public static String secs(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }


    /** Degrees of freedom; unbounded (no reader-by-treatment variation) written as infinity. */
    public static String df(double v) {
        return Double.isNaN(v) ? "\u2014" : !Double.isFinite(v) || v > 1e6 ? "\u221E" : String.format(Locale.ROOT, "%.2f", v);
    }
}
