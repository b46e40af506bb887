package dev.agentstream.savepoints;

import dev.agentstream.devtools.state.QuotaView;
import dev.agentstream.devtools.state.SavepointContents;
import dev.agentstream.udfs.quota.WaitingTurn;
import dev.agentstream.udfs.turn.ChatMessage;

import java.util.Arrays;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The check of the manifest's {@code quota} extension: the quota operator holds, for exactly the
 * tenants it names, the reservations (settled or awaiting usage), the tokens in the window and the
 * budget, and the turns waiting for room with the timer that retries them.
 */
final class QuotaExpectations implements SavepointExpectations.ExtensionCheck {

    @Override
    public void assertHolds(SavepointContents contents, Object expected) {
        Manifest.Quota quota = Manifest.extensionOf(expected, Manifest.Quota.class);
        assertThat(contents.quotas())
                .extracting(QuotaView::tenant)
                .containsExactlyElementsOf(
                        quota.tenants().stream().map(Manifest.QuotaTenant::tenant).toList());
        for (Manifest.QuotaTenant tenant : quota.tenants()) {
            QuotaView q = contents.quota(tenant.tenant()).orElseThrow();
            String who = "quota of " + tenant.tenant();
            assertThat(q.head()).as(who).isNotNull();
            assertThat(q.reservations()).as(who).hasSize(tenant.reservations());
            assertThat(q.unsettled()).as(who).isEqualTo(tenant.unsettled());
            assertThat(q.awaited()).as("usage ids awaited").hasSize(tenant.unsettled());
            assertThat(q.head().windowTokens).as(who).isEqualTo(tenant.windowTokens());
            assertThat(q.head().budgetUsed).as(who).isEqualTo(tenant.budgetUsed());
            // Everything kept is in the window and the budget period still.
            assertThat(q.tokensCharged()).as(who).isEqualTo(tenant.budgetUsed());
            assertThat(q.waiting().values())
                    .extracting(w -> w.turn.thread)
                    .as("turns waiting for quota")
                    .containsExactlyElementsOf(tenant.waitingThreads());
            assertThat(q.waiting().values().stream().map(QuotaExpectations::prompt))
                    .as("the waiting turns' prompts")
                    .allSatisfy(p -> assertThat(p).contains(tenant.waitingWords()));
            if (!tenant.waitingThreads().isEmpty()) {
                assertThat(q.head().wakeAt).as("the waiting turn's timer").isPositive();
                assertThat(q.timers()).contains(q.head().wakeAt);
            }
        }
    }

    private static String prompt(WaitingTurn w) {
        return Arrays.stream(w.turn.messages)
                .map((ChatMessage m) -> m.content)
                .collect(Collectors.joining("\n"));
    }
}
