package org.funduslens.study;

/** RFC 4180 rows for the project's CSV exports, safe to open in a spreadsheet. */
final class Csv {
    private Csv() {}

    /** One row, CRLF-terminated; null cells are empty. */
    static String row(Object... cells) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(cell(cells[i]));
        }
        return b.append("\r\n").toString();
    }

    static String cell(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        // a leading = + - @ would be a formula in a spreadsheet: quote it as text
        boolean formula = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !(v instanceof Number);
        if (formula || s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + (formula ? "'" : "") + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
