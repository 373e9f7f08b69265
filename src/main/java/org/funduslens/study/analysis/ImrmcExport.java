package org.funduslens.study.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.funduslens.study.ReadLog;
import org.funduslens.study.StudyProtocol;

/**
 * The iMRMC input format: free header lines, {@code BEGIN DATA:}, then {@code readerID,caseID,modalityID,score} rows,
 * truth rows first with reader {@code -1} and modality {@code truth}. The task is "abnormal" (reference other than the
 * protocol's normal label); the score is the 2L-point rating made of the first answer and the confidence.
 */
public final class ImrmcExport {
    private ImrmcExport() {}

    public static String render(StudyProtocol p, List<ReadLog.Read> reads) {
        if (p.normalLabel() == null) {
            throw new IllegalArgumentException("The iMRMC export needs the protocol's 'normal_label' to define abnormal cases.");
        }
        Map<String, Integer> truth = new LinkedHashMap<>();
        for (StudyProtocol.Case c : p.cases()) {
            if (c.reference() != null) {
                truth.put(c.id(), c.reference().equals(p.normalLabel()) ? 0 : 1);
            }
        }
        long n1 = truth.values().stream().filter(t -> t == 1).count();
        long n0 = truth.size() - n1;
        if (n0 == 0 || n1 == 0) {
            throw new IllegalArgumentException("The iMRMC export needs reference cases both normal and abnormal.");
        }
        List<ReadLog.Read> scored = reads.stream().filter(r -> truth.containsKey(r.caseId())).toList();
        long readers = scored.stream().map(ReadLog.Read::reader).distinct().count();
        long modalities = scored.stream().map(ReadLog.Read::arm).distinct().count();
        StringBuilder b = new StringBuilder();
        b.append("FundusLens reader study ").append(p.id()).append(" (protocol SHA-256 ").append(p.sha256()).append(")\r\n");
        b.append("Task: abnormal (reference not ").append(p.normalLabel()).append("); score 1..")
                .append(2 * p.confidenceLevels()).append(" from the first answer and the confidence\r\n");
        b.append("NR: ").append(readers).append("\r\nN0: ").append(n0).append("\r\nN1: ").append(n1)
                .append("\r\nNM: ").append(modalities).append("\r\nBEGIN DATA:\r\n");
        truth.forEach((c, t) -> b.append("-1,").append(c).append(",truth,").append(t).append("\r\n"));
        for (ReadLog.Read r : scored) {
            b.append(r.reader()).append(',').append(r.caseId()).append(',').append(r.arm()).append(',')
                    .append((int) StudyReport.abnormalRating(r, p.normalLabel(), p.confidenceLevels())).append("\r\n");
        }
        return b.toString();
    }
}
