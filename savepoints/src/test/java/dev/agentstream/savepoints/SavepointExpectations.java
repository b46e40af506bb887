package dev.agentstream.savepoints;

import dev.agentstream.devtools.state.SavepointContents;
import dev.agentstream.devtools.state.ThreadView;
import dev.agentstream.udfs.tenant.TenantNames;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that what the state tool reads from a savepoint is what its manifest says: the same
 * tenants and threads, slot and turn counts, open registry links, waiting and in-flight turns and
 * conversation budgets.
 */
final class SavepointExpectations {

    /**
     * Checks of what later releases add to the manifest, by the name of their {@link
     * Manifest#extensions} entry; a manifest naming one that is not here fails (see
     * docs/savepoints.md).
     */
    interface ExtensionCheck {
        void assertHolds(SavepointContents contents, Object expected);
    }

    static final Map<String, ExtensionCheck> EXTENSIONS =
            Map.of(Manifest.QUOTA, new QuotaExpectations());

    private SavepointExpectations() {}

    static void assertHolds(SavepointContents contents, Manifest manifest) {
        assertThat(contents.tenants()).containsExactlyElementsOf(manifest.tenants());
        assertThat(contents.threads(Optional.empty()))
                .extracting(t -> TenantNames.key(t.tenant(), t.thread()))
                .containsExactlyInAnyOrderElementsOf(
                        manifest.threads().stream()
                                .map(t -> TenantNames.key(t.tenant(), t.thread()))
                                .toList());
        for (Manifest.ThreadEntry expected : manifest.threads()) {
            ThreadView thread = thread(contents, expected.tenant(), expected.thread());
            assertThat(thread.slots()).as("slots of %s", expected.role()).hasSize(expected.slots());
            assertThat(thread.turns())
                    .as("turns of %s", expected.role())
                    .isEqualTo(expected.turns());
            String payloads =
                    thread.slots().stream()
                            .map(s -> s.slot().payloadXml)
                            .collect(Collectors.joining("\n"));
            assertThat(payloads).as("context of %s", expected.role()).contains(expected.words());
        }
        assertThat(contents.threads(Optional.empty()))
                .filteredOn(ThreadView::hasOpenLink)
                .extracting(t -> TenantNames.key(t.tenant(), t.thread()))
                .containsExactlyInAnyOrderElementsOf(
                        manifest.links().stream()
                                .map(l -> TenantNames.key(l.tenant(), l.subthread()))
                                .toList());
        for (Manifest.Link link : manifest.links()) {
            var call = thread(contents, link.tenant(), link.subthread()).link().orElseThrow();
            assertThat(call.peer).isEqualTo(link.parent());
            assertThat(call.beforeLast()).isEqualTo(link.caller());
            assertThat(call.last()).isEqualTo(link.callee());
        }
        for (Manifest.Waiting waiting : manifest.waiting()) {
            ThreadView thread = thread(contents, waiting.tenant(), waiting.thread());
            assertThat(thread.busy()).containsKey(waiting.agent());
            assertThat(thread.waiting().values())
                    .filteredOn(waiting.agent()::equals)
                    .hasSize(waiting.count());
            String waitingPayloads =
                    thread.slots().stream()
                            .filter(s -> thread.waiting().containsKey(s.slot().seq))
                            .map(s -> s.slot().payloadXml)
                            .collect(Collectors.joining("\n"));
            assertThat(waitingPayloads).contains(waiting.words());
        }
        assertThat(contents.inFlight())
                .extracting(t -> t.tenant + "/" + t.thread + ":" + t.agent)
                .containsExactlyInAnyOrderElementsOf(
                        manifest.inFlight().stream()
                                .map(t -> t.tenant() + "/" + t.thread() + ":" + t.agent())
                                .toList());
        Map<String, Integer> conversations = new TreeMap<>();
        manifest.conversations()
                .forEach(c -> conversations.put(TenantNames.key(c.tenant(), c.root()), c.turns()));
        assertThat(contents.conversationTurns()).isEqualTo(conversations);
        if (manifest.quota().isEmpty()) {
            assertThat(contents.quotaKeys()).as("quota state of a release without").isEmpty();
        }
        if (manifest.extensions() != null) {
            manifest.extensions()
                    .forEach(
                            (name, expected) -> {
                                assertThat(EXTENSIONS)
                                        .as("a check of the manifest's %s", name)
                                        .containsKey(name);
                                EXTENSIONS.get(name).assertHolds(contents, expected);
                            });
        }
    }

    private static ThreadView thread(SavepointContents contents, String tenant, String thread) {
        return contents.thread(tenant, thread)
                .orElseThrow(() -> new AssertionError("no thread " + tenant + "/" + thread));
    }
}
