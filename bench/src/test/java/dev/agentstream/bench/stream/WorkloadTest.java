package dev.agentstream.bench.stream;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class WorkloadTest {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @Test
    void shouldKeepTheHarnesssRoundTimeForABacklog() {
        assertThat(Workload.backlog(60_000).roundLimit(TEN_SECONDS)).isEqualTo(TEN_SECONDS);
    }

    @Test
    void shouldGiveAnOfferedWorkloadTwiceItsSendingTimeAndASlack() {
        // 480 envelopes at 24/s take 20 s to send: 40 s and 15 s of slack to answer them all.
        assertThat(Workload.offered(480, 24).roundLimit(TEN_SECONDS))
                .isEqualTo(Duration.ofSeconds(55));
        assertThat(Workload.offered(480, 24).roundLimit(Duration.ofMinutes(2)))
                .isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void shouldLeaveTheHistoryPhaseAtLeastTwoMinutes() {
        assertThat(Workload.backlog(10).historyLimit(TEN_SECONDS)).isEqualTo(Duration.ofMinutes(2));
        assertThat(Workload.offered(6_000, 24).historyLimit(TEN_SECONDS))
                .isEqualTo(Duration.ofSeconds(515));
    }
}
