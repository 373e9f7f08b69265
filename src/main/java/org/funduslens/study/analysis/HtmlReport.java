package org.funduslens.study.analysis;

import java.util.List;
import java.util.Locale;
import org.funduslens.study.ReaderSession;

/**
 * A reader study's analysis as one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched): the
 * summary, per-reader accuracy with Wilson intervals, McNemar, Obuchowski–Rockette, per-diagnosis accuracy, and two
 * plots (each reader's top-1 accuracy unaided → aided; ROC curves of "abnormal" per reader and arm).
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(StudyReport r, String appVersion, String generatedAt) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(r.protocol().title())).append(" \u2014 reader study report</title>\n<style>\n")
                .append("body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;max-width:960px;color:#1d2530}")
                .append("h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccd}")
                .append("table{border-collapse:collapse;margin:.5em 0}td,th{padding:3px 10px;border-bottom:1px solid #e3e6ea;text-align:right}")
                .append("th{background:#f1f3f6}td:first-child,th:first-child{text-align:left}.muted{color:#667}")
                .append(".big{font-size:1.3em;font-weight:bold}.plots{display:flex;gap:24px;flex-wrap:wrap}\n</style></head><body>\n");
        h.append("<h1>").append(esc(r.protocol().title())).append("</h1>\n<p class=\"muted\">Study ").append(esc(r.protocol().id()))
                .append(" \u00B7 ").append(r.protocol().design().name().toLowerCase(Locale.ROOT)).append(" design \u00B7 protocol SHA-256 ")
                .append(r.protocol().sha256(), 0, 16).append("\u2026 \u00B7 ").append(r.readers().size()).append(" readers \u00B7 ")
                .append(r.protocol().cases().size()).append(" cases (").append(r.casesWithReference())
                .append(" with a reference diagnosis) \u00B7 ").append(r.reads()).append(" reads \u00B7 generated ")
                .append(esc(generatedAt)).append(" by FundusLens ").append(esc(appVersion)).append("</p>\n");

        int k = r.protocol().rankedAnswers();
        h.append("<h2>Summary</h2>\n<table><tr><th></th><th>unaided</th><th>aided</th><th>aided \u2212 unaided</th></tr>\n");
        h.append("<tr><td>Reader-averaged top-1 accuracy</td>").append(td(ReportText.pct(r.arm(ReaderSession.UNAIDED).meanTop1())))
                .append(td(ReportText.pct(r.arm(ReaderSession.AIDED).meanTop1()))).append(td(ReportText.signedPct(r.differenceTop1()))).append("</tr>\n");
        h.append("<tr><td>Reader-averaged top-").append(k).append(" accuracy</td>").append(td(ReportText.pct(r.arm(ReaderSession.UNAIDED).meanTopK())))
                .append(td(ReportText.pct(r.arm(ReaderSession.AIDED).meanTopK()))).append(td(ReportText.signedPct(r.differenceTopK()))).append("</tr>\n");
        h.append("<tr><td>Median time on case</td>").append(td(ReportText.secs(r.arm(ReaderSession.UNAIDED).medianTimeMs())))
                .append(td(ReportText.secs(r.arm(ReaderSession.AIDED).medianTimeMs()))).append(td("")).append("</tr>\n");
        h.append("<tr><td>The AI alone, top-1 / top-").append(k).append("</td><td colspan=\"2\">").append(ReportText.prop(r.aiTop1()))
                .append(" / ").append(ReportText.prop(r.aiTopK())).append("</td>").append(td("")).append("</tr>\n</table>\n");

        h.append("<h2>Per reader</h2>\n<table><tr><th>reader</th><th>profile</th><th>arm</th><th>top-1 (95 % Wilson)</th><th>top-")
                .append(k).append(" (95 % Wilson)</th><th>median time</th><th>changed after AI</th></tr>\n");
        for (String reader : r.readers()) {
            for (String arm : StudyReport.ARMS) {
                StudyReport.ReaderArm ra = r.of(reader, arm);
                h.append("<tr><td>").append(esc(reader)).append("</td>").append(td(esc(ReportText.profile(r.profiles().get(reader)))))
                        .append(td(arm)).append(td(ReportText.prop(ra.top1()))).append(td(ReportText.prop(ra.topK()))).append(td(ReportText.secs(ra.medianTimeMs())))
                        .append(td(arm.equals(ReaderSession.AIDED) ? Integer.toString(ra.changed()) : "")).append("</tr>\n");
            }
        }
        h.append("</table>\n<h3>Exact McNemar test per reader (top-1)</h3>\n<table><tr><th>reader</th>"
                + "<th>right unaided, wrong aided</th><th>wrong unaided, right aided</th><th>p (two-sided)</th></tr>\n");
        for (StudyReport.McNemar m : r.mcnemar()) {
            h.append("<tr><td>").append(esc(m.reader())).append("</td>").append(td(Integer.toString(m.b())))
                    .append(td(Integer.toString(m.c()))).append(td(num(m.p(), 4))).append("</tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Multi-reader multi-case analysis (Obuchowski\u2013Rockette, Hillis ddf)</h2>\n");
        orSection(h, "Top-1 accuracy, jackknife covariance", r.accuracyOr(), r.accuracyOrNote());
        orSection(h, "ROC AUC of \u201Cabnormal\u201D (first answer \u2260 " + esc(String.valueOf(r.protocol().normalLabel()))
                + ", confidence as the rating), DeLong covariance", r.aucOr(), r.aucOrNote());

        h.append("<h2>Plots</h2>\n<div class=\"plots\">").append(slopePlot(r)).append(rocPlot(r)).append("</div>\n");

        if (!r.subgroups().isEmpty()) {
            h.append("<h2>Reader subgroups (reader-averaged top-1)</h2>\n<table><tr><th>by</th><th>group</th><th>readers</th>"
                    + "<th>unaided</th><th>aided</th><th>aided \u2212 unaided</th></tr>\n");
            for (StudyReport.SubgroupRow g : r.subgroups()) {
                h.append("<tr><td>").append(esc(g.by())).append("</td>").append(td(esc(g.group()))).append(td(Integer.toString(g.readers())))
                        .append(td(ReportText.pct(g.unaidedTop1()))).append(td(ReportText.pct(g.aidedTop1())))
                        .append(td(ReportText.signedPct(g.difference()))).append("</tr>\n");
            }
            h.append("</table>\n<p class=\"muted\">Descriptive only: subgroups of a few readers carry no inference.</p>\n");
        }
        h.append("<h2>Per diagnosis (top-1, reads pooled over readers)</h2>\n<table><tr><th>reference</th><th>cases</th>"
                + "<th>unaided</th><th>aided</th><th>AI alone</th></tr>\n");
        for (StudyReport.DiagnosisRow d : r.perDiagnosis()) {
            h.append("<tr><td>").append(esc(d.label())).append("</td>").append(td(Integer.toString(d.cases())))
                    .append(td(ReportText.pct(d.unaidedTop1()))).append(td(ReportText.pct(d.aidedTop1()))).append(td(ReportText.pct(d.aiTop1()))).append("</tr>\n");
        }
        h.append("</table>\n<p class=\"muted\">Only the latest read of each case and arm counts (a correction replaces what it "
                + "corrects). Wilson intervals and McNemar p-values come from Apache Commons Statistics distributions. "
                + "Patient names, IDs and dates are not part of a read log.</p>\n</body></html>\n");
        return h.toString();
    }

    private static void orSection(StringBuilder h, String title, OrAnalysis.Result or, String note) {
        h.append("<h3>").append(title).append("</h3>\n");
        if (or == null) {
            h.append("<p class=\"muted\">").append(esc(note)).append("</p>\n");
            return;
        }
        h.append("<table><tr><th>analysis</th><th>difference (").append(esc(or.treatments().get(0))).append(" \u2212 ")
                .append(esc(or.treatments().get(1))).append(")</th><th>statistic</th><th>df</th><th>p</th><th>95 % CI</th></tr>\n");
        for (OrAnalysis.Test t : List.of(or.rrrc(), or.frrc(), or.rrfc())) {
            h.append("<tr><td>").append(esc(t.name())).append("</td>").append(td(num(t.diff(), 4)))
                    .append(td((t == or.frrc() ? "\u03C7\u00B2 = " : "F = ") + num(t.statistic(), 3)))
                    .append(td(num(t.df1(), 0) + (Double.isInfinite(t.df2()) ? "" : ", " + ReportText.df(t.df2()))))
                    .append(td(num(t.p(), 4))).append(td("(" + num(t.ciLow(), 4) + ", " + num(t.ciHigh(), 4) + ")")).append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static String slopePlot(StudyReport r) {
        int w = 420;
        int hgt = 300;
        int left = 50;
        int right = w - 90;
        int top = 30;
        int bottom = hgt - 40;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(hgt)
                .append("\" role=\"img\" aria-label=\"Top-1 accuracy per reader, unaided to aided\">");
        s.append("<text x=\"").append(w / 2).append("\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">Top-1 accuracy per reader</text>");
        axisY(s, left, right, top, bottom);
        s.append(text(left, bottom + 20, "unaided", "middle")).append(text(right, bottom + 20, "aided", "middle"));
        String[] colours = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
        int i = 0;
        for (String reader : r.readers()) {
            double u = r.of(reader, ReaderSession.UNAIDED).top1().estimate();
            double a = r.of(reader, ReaderSession.AIDED).top1().estimate();
            if (Double.isNaN(u) || Double.isNaN(a)) {
                continue;
            }
            String c = colours[i++ % colours.length];
            double yu = bottom - u * (bottom - top);
            double ya = bottom - a * (bottom - top);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
                    + "<circle cx=\"%d\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/><circle cx=\"%d\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>",
                    left, yu, right, ya, c, left, yu, c, right, ya, c));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"%s\">%s</text>", right + 8,
                    ya + 4, c, esc(reader)));
        }
        return s.append("</svg>").toString();
    }

    private static String rocPlot(StudyReport r) {
        int size = 300;
        int left = 50;
        int right = size - 10;
        int top = 30;
        int bottom = size - 40;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(size + 110).append("\" height=\"").append(size)
                .append("\" role=\"img\" aria-label=\"ROC curves\">");
        s.append("<text x=\"").append((left + right) / 2).append("\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">ROC, abnormal vs normal</text>");
        if (r.roc().isEmpty()) {
            s.append(text((left + right) / 2, size / 2, "no ROC: " + (r.aucOrNote() == null ? "" : "see above"), "middle"));
            return s.append("</svg>").toString();
        }
        axisY(s, left, right, top, bottom);
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>",
                left, bottom, right, top));
        s.append(text((left + right) / 2, bottom + 30, "false-positive rate", "middle"));
        s.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 14 %d)\">true-positive rate</text>", (top + bottom) / 2, (top + bottom) / 2));
        for (int t = 0; t <= 4; t++) {
            double x = left + t * (right - left) / 4.0;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%.2f</text>", x, bottom + 14, t / 4.0));
        }
        int legendY = top + 10;
        for (var e : r.roc().entrySet()) {
            String[] key = e.getKey().split("\u0000");
            boolean aided = key[1].equals(ReaderSession.AIDED);
            String colour = aided ? "#d62728" : "#1f77b4";
            StringBuilder pts = new StringBuilder();
            for (double[] p : e.getValue()) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + p[0] * (right - left), bottom - p[1] * (bottom - top)));
            }
            s.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.6\" opacity=\"0.75\"")
                    .append(aided ? "" : " stroke-dasharray=\"5 3\"").append(" points=\"").append(pts.toString().strip()).append("\"/>");
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1f77b4\" stroke-dasharray=\"5 3\"/>",
                right + 8, legendY, right + 30, legendY)).append(text(right + 34, legendY + 4, "unaided", "start"));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d62728\"/>",
                right + 8, legendY + 18, right + 30, legendY + 18)).append(text(right + 34, legendY + 22, "aided", "start"));
        return s.append("</svg>").toString();
    }

    private static void axisY(StringBuilder s, int left, int right, int top, int bottom) {
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", left, top, left, bottom));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", left, bottom, right, bottom));
        for (int t = 0; t <= 4; t++) {
            double y = bottom - t * (bottom - top) / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e6ea\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.2f</text>", left, y, right, y, left - 6, y + 3, t / 4.0));
        }
    }

    private static String text(double x, double y, String t, String anchor) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">%s</text>", x, y, anchor, esc(t));
    }

    private static String td(String s) {
        return "<td>" + s + "</td>";
    }

    static String num(double v, int digits) {
        return Double.isNaN(v) ? "\u2014" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
