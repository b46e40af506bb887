package dev.agentstream.udfs.router;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend's limits against the router's way of asking: a turn that waits for room asks again
 * every {@link LlmRouter#ADMISSION_PAUSE_MS}, and an estimate may come from any turn.
 */
class AdmissionAttackTest {

    @Test
    void shouldNotSpendARequestOnACallTheTokenLimitTurnsAway() {
        Admission limits = Admission.of("both", 100, 0, 3);
        assertThat(limits.admit(100)).isZero(); // the minute's tokens are gone, 2 requests left

        // A large turn waiting for tokens asks again and again: it is never admitted.
        for (int i = 0; i < 5; i++) {
            assertThat(limits.admit(100)).isEqualTo(-1);
        }

        assertThat(limits.admit(0))
                .as("a call needing no tokens, with 2 of 3 requests of the minute unused")
                .isZero();
    }

    @Test
    void shouldNotCreditTokensForANegativeEstimate() {
        Admission tokens = Admission.of("tpm", 100, 0, 0);
        assertThat(tokens.admit(100)).isZero();

        tokens.admit(-1_000); // an estimate that overflowed
        assertThat(tokens.admit(100))
                .as("a full minute's tokens again, within the minute")
                .isNotZero();
    }
}
