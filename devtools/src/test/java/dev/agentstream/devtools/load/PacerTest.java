package dev.agentstream.devtools.load;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PacerTest {

    private static final long MS = 1_000_000L;

    @Test
    void shouldSpaceEnvelopesByTheRate() {
        Pacer pacer = new Pacer(100, Duration.ofSeconds(1), 0);

        assertThat(pacer.waitNanos(0)).isZero();
        pacer.sent();
        assertThat(pacer.waitNanos(0)).isEqualTo(10 * MS);
        assertThat(pacer.waitNanos(4 * MS)).isEqualTo(6 * MS);
        assertThat(pacer.waitNanos(10 * MS)).isZero();
        pacer.sent();
        assertThat(pacer.waitNanos(10 * MS)).isEqualTo(10 * MS);
        assertThat(pacer.slipped()).isZero();
    }

    @Test
    void shouldKeepAFractionalRateWithoutDrift() {
        Pacer pacer = new Pacer(3, Duration.ofSeconds(1), 0);
        for (int i = 0; i < 3_000; i++) {
            pacer.sent();
        }

        // Envelope 3,000 is due exactly 1,000 s after the start.
        assertThat(pacer.dueAt(3_000)).isEqualTo(1_000_000 * MS);
        assertThat(pacer.waitNanos(999_000 * MS)).isEqualTo(1_000 * MS);
    }

    @Test
    void shouldCatchUpByAtMostTheMaximumLag() {
        Pacer pacer = new Pacer(100, Duration.ofSeconds(1), 0);
        pacer.sent();

        // Stalled for 5 s: what was due more than 1 s ago is given up.
        long now = 5_000 * MS;
        int burst = 0;
        while (pacer.waitNanos(now) == 0) {
            pacer.sent();
            burst++;
        }

        assertThat(burst).isBetween(100, 101);
        assertThat(pacer.slipped()).isBetween(398L, 400L);
        assertThat(pacer.waitNanos(now)).isPositive().isLessThanOrEqualTo(10 * MS);
    }

    @Test
    void shouldGiveUpEverySlotBehindWithNoLagAllowed() {
        Pacer pacer = new Pacer(1_000, Duration.ZERO, 0);

        assertThat(pacer.waitNanos(50 * MS)).isZero();
        pacer.sent();

        assertThat(pacer.slipped()).isEqualTo(50);
        assertThat(pacer.waitNanos(50 * MS)).isEqualTo(MS);
    }
}
