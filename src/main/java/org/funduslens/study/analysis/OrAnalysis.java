package org.funduslens.study.analysis;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.apache.commons.statistics.distribution.FDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * The Obuchowski–Rockette analysis of a multi-reader multi-case study, with Hillis's denominator degrees of freedom:
 * random readers and cases (RRRC), fixed readers (FRRC) and fixed cases (RRFC), as in OR-DBM MRMC and RJafroc.
 * Figure of merit: the empirical (trapezoidal, Wilcoxon) ROC AUC, or accuracy (the mean of 0/1 ratings). Covariances
 * of the figures of merit: jackknife over cases, or (AUC only) DeLong's structural components.
 */
public final class OrAnalysis {
    public enum Metric { AUC, ACCURACY }

    public enum Covariance { JACKKNIFE, DELONG }

    /** One analysis: test statistic, degrees of freedom, p-value and the CI of the first treatment difference. */
    public record Test(String name, double statistic, double df1, double df2, double p, double diff, double stdErr,
                       double ciLow, double ciHigh) {}

    /** One treatment on its own: mean figure of merit with its standard error, df and CI (random readers and cases). */
    public record Single(String treatment, double mean, double stdErr, double df, double ciLow, double ciHigh) {}

    public record Result(Metric metric, Covariance covariance, List<String> readers, List<String> treatments,
                         double[][] fom, double[] treatmentMeans, double msT, double msR, double msTR,
                         double varError, double cov1, double cov2, double cov3, Test rrrc, Test frrc, Test rrfc,
                         List<Single> singles) {}

    private OrAnalysis() {}

    public static Result analyze(MrmcData d, Metric metric, Covariance cov, double alpha) {
        int t = d.treatments().size();
        int r = d.readers().size();
        int n = d.cases().size();
        double[][][] x = d.rating();
        int[] truth = d.truth();
        if (cov == Covariance.DELONG && metric != Metric.AUC) {
            throw new IllegalArgumentException("DeLong covariance applies to the AUC only");
        }
        double[][] fom = new double[t][r];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < r; j++) {
                fom[i][j] = figure(metric, x[i][j], truth, -1);
            }
        }
        // covariance matrix of the t*r figures of merit, indexed i*r + j
        double[][] c = cov == Covariance.JACKKNIFE ? jackknife(metric, x, truth, fom) : delong(x, truth);
        double varErr = 0;
        double c1 = 0;
        double c2 = 0;
        double c3 = 0;
        int n1 = 0;
        int n2 = 0;
        int n3 = 0;
        for (int a = 0; a < t * r; a++) {
            for (int b = 0; b < t * r; b++) {
                int ia = a / r;
                int ja = a % r;
                int ib = b / r;
                int jb = b % r;
                if (a == b) {
                    varErr += c[a][b];
                } else if (ja == jb) {
                    c1 += c[a][b];
                    n1++;
                } else if (ia == ib) {
                    c2 += c[a][b];
                    n2++;
                } else {
                    c3 += c[a][b];
                    n3++;
                }
            }
        }
        varErr /= t * r;
        c1 = n1 == 0 ? 0 : c1 / n1;
        c2 = n2 == 0 ? 0 : c2 / n2;
        c3 = n3 == 0 ? 0 : c3 / n3;

        double grand = 0;
        double[] mt = new double[t];
        double[] mr = new double[r];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < r; j++) {
                mt[i] += fom[i][j] / r;
                mr[j] += fom[i][j] / t;
                grand += fom[i][j] / (t * r);
            }
        }
        double msT = 0;
        for (int i = 0; i < t; i++) {
            msT += r * sq(mt[i] - grand);
        }
        msT /= t - 1;
        double msR = 0;
        for (int j = 0; j < r; j++) {
            msR += t * sq(mr[j] - grand);
        }
        msR /= r - 1;
        double msTR = 0;
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < r; j++) {
                msTR += sq(fom[i][j] - mt[i] - mr[j] + grand);
            }
        }
        msTR /= (double) (t - 1) * (r - 1);
        double diff = mt[0] - mt[1];
        double q = 1 - alpha / 2;

        // random readers and cases
        double den = msTR + r * Math.max(c2 - c3, 0);
        double f = msT / den;
        double ddf = sq(den) / (sq(msTR) / ((t - 1) * (r - 1.0)));
        double p = fSurvival(t - 1, ddf, f);
        double se = Math.sqrt(2.0 / r * den);
        double tq = tQuantile(ddf, q);
        Test rrrc = new Test("random readers and cases", f, t - 1, ddf, p, diff, se, diff - tq * se, diff + tq * se);

        // fixed readers, random cases
        double denF = varErr - c1 + (r - 1) * Math.max(c2 - c3, 0);
        double chi = (t - 1) * msT / denF;
        double pF = ChiSquaredDistribution.of(t - 1).survivalProbability(chi);
        double seF = Math.sqrt(2.0 / r * denF);
        double z = NormalDistribution.of(0, 1).inverseCumulativeProbability(q);
        Test frrc = new Test("fixed readers, random cases", chi, t - 1, Double.POSITIVE_INFINITY, pF, diff, seF,
                diff - z * seF, diff + z * seF);

        // random readers, fixed cases
        double fC = msT / msTR;
        double dfC = (t - 1) * (r - 1.0);
        double pC = fSurvival(t - 1, dfC, fC);
        double seC = Math.sqrt(2.0 * msTR / r);
        double tqC = tQuantile(dfC, q);
        Test rrfc = new Test("random readers, fixed cases", fC, t - 1, dfC, pC, diff, seC, diff - tqC * seC, diff + tqC * seC);

        List<Single> singles = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            double msRi = 0;
            for (int j = 0; j < r; j++) {
                msRi += sq(fom[i][j] - mt[i]);
            }
            msRi /= r - 1;
            double cov2i = 0;
            int m = 0;
            for (int a = 0; a < r; a++) {
                for (int b = 0; b < r; b++) {
                    if (a != b) {
                        cov2i += c[i * r + a][i * r + b];
                        m++;
                    }
                }
            }
            cov2i /= m;
            double deni = msRi + r * Math.max(cov2i, 0);
            double sei = Math.sqrt(deni / r);
            double dfi = sq(deni) / (sq(msRi) / (r - 1));
            double tqi = tQuantile(dfi, q);
            singles.add(new Single(d.treatments().get(i), mt[i], sei, dfi, mt[i] - tqi * sei, mt[i] + tqi * sei));
        }
        return new Result(metric, cov, d.readers(), d.treatments(), fom, mt, msT, msR, msTR, varErr, c1, c2, c3, rrrc, frrc,
                rrfc, singles);
    }

    /** Student's t quantile; where the degrees of freedom are unbounded (no reader variation), the normal one. */
    private static double tQuantile(double df, double q) {
        return Double.isFinite(df) && df > 0 ? TDistribution.of(df).inverseCumulativeProbability(q)
                : NormalDistribution.of(0, 1).inverseCumulativeProbability(q);
    }

    /** P(F > f); with unbounded denominator degrees of freedom, the chi-squared limit. */
    private static double fSurvival(double df1, double df2, double f) {
        if (Double.isNaN(f)) {
            return Double.NaN;
        }
        return Double.isFinite(df2) && df2 > 0 ? FDistribution.of(df1, df2).survivalProbability(f)
                : ChiSquaredDistribution.of(df1).survivalProbability(df1 * f);
    }

    private static double sq(double v) {
        return v * v;
    }

    /** The figure of merit of one reader under one treatment, leaving case {@code skip} out (-1: none). */
    static double figure(Metric m, double[] ratings, int[] truth, int skip) {
        if (m == Metric.ACCURACY) {
            double s = 0;
            int n = 0;
            for (int k = 0; k < ratings.length; k++) {
                if (k != skip) {
                    s += ratings[k];
                    n++;
                }
            }
            return s / n;
        }
        double s = 0;
        long pairs = 0;
        for (int a = 0; a < ratings.length; a++) {
            if (a == skip || truth[a] != 1) {
                continue;
            }
            for (int b = 0; b < ratings.length; b++) {
                if (b == skip || truth[b] != 0) {
                    continue;
                }
                s += ratings[a] > ratings[b] ? 1 : ratings[a] == ratings[b] ? 0.5 : 0;
                pairs++;
            }
        }
        return s / pairs;
    }

    /** (n-1)/n times the sum over left-out cases of the products of deviations of the leave-one-out figures. */
    static double[][] jackknife(Metric m, double[][][] x, int[] truth, double[][] fom) {
        int t = x.length;
        int r = x[0].length;
        int n = truth.length;
        double[][] loo = new double[n][t * r];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < r; j++) {
                    loo[k][i * r + j] = figure(m, x[i][j], truth, k);
                }
            }
        }
        double[] mean = new double[t * r];
        for (double[] row : loo) {
            for (int a = 0; a < t * r; a++) {
                mean[a] += row[a] / n;
            }
        }
        double[][] c = new double[t * r][t * r];
        for (double[] row : loo) {
            for (int a = 0; a < t * r; a++) {
                for (int b = 0; b < t * r; b++) {
                    c[a][b] += (row[a] - mean[a]) * (row[b] - mean[b]);
                }
            }
        }
        for (int a = 0; a < t * r; a++) {
            for (int b = 0; b < t * r; b++) {
                c[a][b] *= (n - 1.0) / n;
            }
        }
        return c;
    }

    /** DeLong et al. (1988): covariances of empirical AUCs from the structural components V10 and V01. */
    static double[][] delong(double[][][] x, int[] truth) {
        int t = x.length;
        int r = x[0].length;
        List<Integer> pos = new ArrayList<>();
        List<Integer> neg = new ArrayList<>();
        for (int k = 0; k < truth.length; k++) {
            (truth[k] == 1 ? pos : neg).add(k);
        }
        int m = pos.size();
        int nn = neg.size();
        double[][] v10 = new double[t * r][m];
        double[][] v01 = new double[t * r][nn];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < r; j++) {
                double[] y = x[i][j];
                int a = i * r + j;
                for (int p = 0; p < m; p++) {
                    for (int q = 0; q < nn; q++) {
                        double psi = y[pos.get(p)] > y[neg.get(q)] ? 1 : y[pos.get(p)] == y[neg.get(q)] ? 0.5 : 0;
                        v10[a][p] += psi / nn;
                        v01[a][q] += psi / m;
                    }
                }
            }
        }
        double[][] c = new double[t * r][t * r];
        for (int a = 0; a < t * r; a++) {
            for (int b = 0; b < t * r; b++) {
                c[a][b] = cov(v10[a], v10[b]) / m + cov(v01[a], v01[b]) / nn;
            }
        }
        return c;
    }

    private static double cov(double[] u, double[] v) {
        double mu = 0;
        double mv = 0;
        for (int i = 0; i < u.length; i++) {
            mu += u[i] / u.length;
            mv += v[i] / v.length;
        }
        double s = 0;
        for (int i = 0; i < u.length; i++) {
            s += (u[i] - mu) * (v[i] - mv);
        }
        return s / (u.length - 1);
    }
}
