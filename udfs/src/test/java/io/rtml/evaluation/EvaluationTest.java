package io.rtml.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    private static ScoredLabel row(float score, int label, boolean flagged) {
        return new ScoredLabel("e", score, flagged, label, "2");
    }

    @Test
    void averagePrecisionOfAPerfectRankingIsOne() {
        List<ScoredLabel> rows =
                List.of(row(0.9f, 1, true), row(0.8f, 1, true), row(0.1f, 0, false));
        assertThat(Evaluation.averagePrecision(rows)).isEqualTo(1.0);
    }

    @Test
    void averagePrecisionIsTheMeanPrecisionAtEachPositive() {
        // Ranked: 1 (P=1/1), 0, 1 (P=2/3), 0, 1 (P=3/5): AP = (1 + 2/3 + 3/5) / 3.
        List<ScoredLabel> rows =
                List.of(
                        row(0.9f, 1, true),
                        row(0.8f, 0, true),
                        row(0.7f, 1, false),
                        row(0.6f, 0, false),
                        row(0.5f, 1, false));
        assertThat(Evaluation.averagePrecision(rows))
                .isCloseTo((1 + 2.0 / 3 + 3.0 / 5) / 3, within(1e-12));
    }

    @Test
    void tiedScoresAreOneStepWhateverTheirOrder() {
        // 0.9 ties a positive and a negative: one step at precision 1/2, then 0.5 adds the
        // second positive at precision 2/3. AP = 1/2 * 1/2 + 1/2 * 2/3, in either input order.
        List<ScoredLabel> rows = new ArrayList<>();
        rows.add(row(0.9f, 0, true));
        rows.add(row(0.9f, 1, true));
        rows.add(row(0.5f, 1, false));
        double expected = 0.5 * 0.5 + 0.5 * (2.0 / 3);
        assertThat(Evaluation.averagePrecision(rows)).isCloseTo(expected, within(1e-12));
        rows.add(0, rows.remove(1));
        assertThat(Evaluation.averagePrecision(rows)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void precisionAndRecallAreOfTheDecisions() {
        Evaluation evaluation =
                Evaluation.of(
                        List.of(
                                row(0.9f, 1, true),
                                row(0.8f, 0, true),
                                row(0.7f, 0, true),
                                row(0.6f, 1, false),
                                row(0.1f, 0, false)));
        assertThat(evaluation.labelled()).isEqualTo(5);
        assertThat(evaluation.positives()).isEqualTo(2);
        assertThat(evaluation.precision()).isEqualTo(1.0 / 3);
        assertThat(evaluation.recall()).isEqualTo(1.0 / 2);
    }

    @Test
    void isNotANumberWhereTheRatioHasNoDenominator() {
        Evaluation noFraud = Evaluation.of(List.of(row(0.2f, 0, false), row(0.1f, 0, false)));
        assertThat(noFraud.positives()).isZero();
        assertThat(noFraud.recall()).isNaN();
        assertThat(noFraud.prAuc()).isNaN();
        assertThat(noFraud.precision()).isNaN(); // nothing flagged
    }
}
