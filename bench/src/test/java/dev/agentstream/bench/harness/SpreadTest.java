package dev.agentstream.bench.harness;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SpreadTest {

    @Test
    void shouldTakeTheMedianAndQuartilesBetweenRanks() {
        Spread s = Spread.of(4, 1, 3, 2, 6, 5);

        assertThat(s.median()).isEqualTo(3.5);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(6);
        assertThat(s.q1()).isCloseTo(2.25, within(1e-9));
        assertThat(s.q3()).isCloseTo(4.75, within(1e-9));
        assertThat(s.n()).isEqualTo(6);
    }

    @Test
    void shouldTakeTheMiddleValueOfAnOddCount() {
        assertThat(Spread.of(9, 1, 5).median()).isEqualTo(5);
    }

    @Test
    void shouldBeNotANumberWithoutValues() {
        assertThat(Spread.of().median()).isNaN();
        assertThat(Spread.of().n()).isZero();
    }
}
