package io.rtml.evaluation;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How well predictions match labels: precision and recall of the decisions, and the area under the
 * precision-recall curve of the scores (average precision, computed step-wise as the training
 * script does, so the two can be compared).
 *
 * @param labelled predictions with a label
 * @param positives of which fraud
 * @param precision of the {@code flag} decisions; NaN when nothing was flagged
 * @param recall of the fraud, flagged; NaN without fraud
 * @param prAuc average precision of the scores; NaN without fraud
 */
public record Evaluation(
        long labelled, long positives, double precision, double recall, double prAuc) {

    public static Evaluation of(List<ScoredLabel> scored) {
        long positives = 0;
        long flagged = 0;
        long truePositives = 0;
        for (ScoredLabel s : scored) {
            positives += s.label;
            flagged += s.flagged ? 1 : 0;
            truePositives += s.flagged && s.label == 1 ? 1 : 0;
        }
        double precision = flagged == 0 ? Double.NaN : (double) truePositives / flagged;
        double recall = positives == 0 ? Double.NaN : (double) truePositives / positives;
        return new Evaluation(
                scored.size(), positives, precision, recall, averagePrecision(scored));
    }

    /**
     * Step-wise average precision: the mean, over the distinct score thresholds from the highest,
     * of precision times the recall gained there; tied scores form one step.
     */
    public static double averagePrecision(List<ScoredLabel> scored) {
        ScoredLabel[] sorted = scored.toArray(new ScoredLabel[0]);
        Arrays.sort(sorted, Comparator.comparingDouble((ScoredLabel s) -> s.score).reversed());
        long positives = 0;
        for (ScoredLabel s : sorted) {
            positives += s.label;
        }
        if (positives == 0) {
            return Double.NaN;
        }
        double area = 0;
        long truePositives = 0;
        long seen = 0;
        int i = 0;
        while (i < sorted.length) {
            float threshold = sorted[i].score;
            long gained = 0;
            while (i < sorted.length && sorted[i].score == threshold) {
                gained += sorted[i].label;
                seen++;
                i++;
            }
            truePositives += gained;
            area += ((double) gained / positives) * ((double) truePositives / seen);
        }
        return area;
    }
}
