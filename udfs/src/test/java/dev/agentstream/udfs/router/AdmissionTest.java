package dev.agentstream.udfs.router;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionTest {

    @Test
    void shouldAdmitEveryCallWithoutLimits() {
        Admission none = Admission.of("free", 0, 0, 0);

        for (int i = 0; i < 1_000; i++) {
            assertThat(none.admit(1_000_000)).isZero();
        }
    }

    @Test
    void shouldHoldBackTheCallPastTheRequestsPerMinute() {
        Admission twoPerMinute = Admission.of("rpm", 0, 0, 2);

        assertThat(twoPerMinute.admit(10)).isZero();
        assertThat(twoPerMinute.admit(10)).isZero();
        assertThat(twoPerMinute.admit(10)).isNotZero(); // a pause to schedule, or elsewhere
    }

    @Test
    void shouldRefuseACallWhenEveryConcurrentPlaceIsTakenUntilOneIsReleased() {
        Admission one = Admission.of("one", 0, 1, 0);

        assertThat(one.admit(10)).isZero();
        assertThat(one.admit(10)).isEqualTo(-1);
        one.release();
        assertThat(one.admit(10)).isZero();
    }

    @Test
    void shouldHoldBackACallPastTheMinutesTokens() {
        Admission tokens = Admission.of("tpm", 100, 0, 0);

        assertThat(tokens.admit(60)).isZero();
        assertThat(tokens.admit(60)).isNotZero(); // a pause to schedule, or elsewhere
    }
}
