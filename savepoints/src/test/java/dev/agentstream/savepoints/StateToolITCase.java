package dev.agentstream.savepoints;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import dev.agentstream.devtools.state.KeyState;
import dev.agentstream.devtools.state.SavepointContents;
import dev.agentstream.devtools.state.SavepointInspector;
import dev.agentstream.devtools.state.StateCommand;
import dev.agentstream.udfs.tenant.TenantNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.agentstream.savepoints.Script.ACME;
import static dev.agentstream.savepoints.Script.CONTEXT;
import static dev.agentstream.savepoints.Script.GLOBEX;
import static dev.agentstream.savepoints.Script.INITECH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state tool against the committed savepoints: list, print, erase a tenant (v0.1); print and
 * erase a tenant's quota (v0.2).
 */
class StateToolITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Path RELEASE = Releases.release("v0.1");
    private static final Path SAVEPOINT = RELEASE.resolve(Releases.SAVEPOINT);
    private static final Path QUOTA_RELEASE = Releases.release("v0.2");
    private static final Path QUOTA_SAVEPOINT = QUOTA_RELEASE.resolve(Releases.SAVEPOINT);

    private static Manifest manifest;
    private static Manifest quotaManifest;

    @TempDir Path tmp;

    @BeforeAll
    static void readManifest() throws Exception {
        manifest = Manifest.read(RELEASE);
        quotaManifest = Manifest.read(QUOTA_RELEASE);
    }

    @Test
    void shouldListTheTenantsAndTheirThreads() {
        Run tenants = run("tenants", SAVEPOINT.toString());
        Run globex = run("threads", SAVEPOINT.toString(), "--tenant", GLOBEX);

        assertThat(tenants.code).isZero();
        assertThat(tenants.lines())
                .anySatisfy(
                        l -> assertThat(l.split("\\s+")).containsExactly(ACME, "4", "3", "0", "0"))
                .anySatisfy(
                        l ->
                                assertThat(l.split("\\s+"))
                                        .containsExactly(GLOBEX, "2", "2", "1", "0"));
        assertThat(globex.code).isZero();
        assertThat(globex.lines()).hasSize(2).noneMatch(l -> l.startsWith(ACME));
        String waiting = manifest.thread(Script.WAITING).thread();
        assertThat(globex.lines())
                .filteredOn(l -> l.contains(waiting))
                .singleElement()
                .satisfies(
                        l ->
                                assertThat(l.split("\\s+"))
                                        .containsExactly(
                                                GLOBEX, waiting, "2", "1", "1090", "1", "1", "-"));
    }

    @Test
    void shouldPrintAThreadsSlotsAndItsPayloadsOnlyWhenAsked() {
        String context = manifest.thread(CONTEXT).thread();
        Run plain = run("thread", SAVEPOINT.toString(), ACME, context);
        Run payloads = run("thread", SAVEPOINT.toString(), ACME, context, "--payloads");
        Run missing = run("thread", SAVEPOINT.toString(), GLOBEX, context);

        assertThat(plain.code).isZero();
        assertThat(plain.out).contains("slots 4 held", "turns 2", "link: -");
        assertThat(plain.lines())
                .filteredOn(l -> l.trim().startsWith("#"))
                .hasSize(4)
                .filteredOn(l -> l.contains("console -> writer  <Draft>"))
                .hasSize(2);
        assertThat(plain.out).doesNotContain("Rembrandt", "Vermeer");
        assertThat(payloads.out).contains("Rembrandt", "Vermeer");
        assertThat(missing.code).isOne();
        assertThat(missing.err).contains("no thread");
    }

    @Test
    void shouldPrintTheOpenRegistryLinkOfASubthread() {
        Manifest.Link link = manifest.links().get(0);
        Run sub = run("thread", SAVEPOINT.toString(), ACME, link.subthread());

        assertThat(sub.out)
                .contains("link: call desk -> lookup from " + link.parent() + " (open)")
                .contains("chain console > desk > lookup");
    }

    @Test
    void shouldEraseATenantAndKeepEveryOtherKeyAsItWas() throws Exception {
        Path erased = tmp.resolve("without-globex");
        Run erase = run("erase-tenant", SAVEPOINT.toString(), GLOBEX, "--out", erased.toString());
        Run tenants = run("tenants", erased.toString());

        assertThat(erase.code).as(erase.err).isZero();
        assertThat(erase.out)
                .contains("erased tenant globex: 2 threads, 2 conversations, 0 quotas, 1 turns");
        assertThat(tenants.lines()).singleElement().satisfies(l -> assertThat(l).startsWith(ACME));
        SavepointContents before = SavepointInspector.read(SAVEPOINT);
        SavepointContents after = SavepointInspector.read(erased);
        assertThat(after.tenants()).containsExactly(ACME);
        assertThat(after.inFlight()).isEmpty();
        assertThat(after.operators()).isEqualTo(before.operators());
        assertSameKeys(after.threadKeys(), acmeOnly(before.threadKeys()));
        assertSameKeys(after.conversationKeys(), acmeOnly(before.conversationKeys()));
        assertThat(after.threads(Optional.of(ACME)))
                .extracting(t -> t.thread() + ":" + t.lastWrite() + ":" + t.timers().length)
                .containsExactlyElementsOf(
                        before.threads(Optional.of(ACME)).stream()
                                .map(
                                        t ->
                                                t.thread()
                                                        + ":"
                                                        + t.lastWrite()
                                                        + ":"
                                                        + t.timers().length)
                                .toList());
    }

    @Test
    void shouldRefuseATenantTheSavepointDoesNotHold() {
        Run erase =
                run(
                        "erase-tenant",
                        SAVEPOINT.toString(),
                        "initech",
                        "--out",
                        tmp.resolve("x").toString());

        assertThat(erase.code).isOne();
        assertThat(erase.err).contains("holds nothing of tenant initech");
    }

    @Test
    void shouldRefuseToListATenantTheSavepointDoesNotHold() {
        Run threads = run("threads", SAVEPOINT.toString(), "--tenant", "initech");
        Run quota = run("quota", SAVEPOINT.toString(), "--tenant", "initech");

        assertThat(threads.code).isOne();
        assertThat(threads.err).contains("holds nothing of tenant initech (it holds ");
        assertThat(quota.code).isOne();
        assertThat(quota.err).contains("holds nothing of tenant initech");
    }

    @Test
    void shouldRefuseANewSavepointInsideTheOldOneOrInAFile() throws Exception {
        Path inside = SAVEPOINT.resolve("erased");
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");

        Run intoOld = run("erase-tenant", SAVEPOINT.toString(), "acme", "--out", inside.toString());
        Run intoFile = run("erase-tenant", SAVEPOINT.toString(), "acme", "--out", file.toString());

        assertThat(intoOld.code).isOne();
        assertThat(intoOld.err).contains("is inside the savepoint it would replace");
        assertThat(inside).doesNotExist();
        assertThat(intoFile.code).isOne();
        assertThat(intoFile.err).contains("is not a directory");
    }

    @Test
    void shouldSayWhyASavepointCannotBeRead() throws Exception {
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        byte[] metadata = Files.readAllBytes(SAVEPOINT.resolve("_metadata"));
        Files.write(
                broken.resolve("_metadata"),
                java.util.Arrays.copyOf(metadata, metadata.length / 2));

        Run tenants = run("tenants", broken.toString());

        assertThat(tenants.code).isOne();
        assertThat(tenants.err)
                .startsWith("agentstream-state: cannot read the savepoint's _metadata in ")
                .doesNotContain("null");
    }

    @Test
    void shouldPrintATenantsQuotaWithoutItsPrompts() {
        Run tenants = run("tenants", QUOTA_SAVEPOINT.toString());
        Run quota = run("quota", QUOTA_SAVEPOINT.toString(), "--tenant", INITECH);
        Run none = run("quota", QUOTA_SAVEPOINT.toString(), "--tenant", ACME);

        assertThat(tenants.lines())
                .anySatisfy(
                        l ->
                                assertThat(l.split("\\s+"))
                                        .containsExactly(INITECH, "3", "3", "1", "1"));
        assertThat(quota.code).as(quota.err).isZero();
        Manifest.QuotaTenant expected = quotaManifest.quota().orElseThrow().tenants().get(0);
        assertThat(quota.out)
                .contains(
                        "quota of tenant " + INITECH,
                        "window: " + expected.windowTokens() + " tokens",
                        "budget: " + expected.budgetUsed() + " tokens",
                        "reservations 2 (1 awaiting usage), waiting 1",
                        "waiting #0: writer on thread " + expected.waitingThreads().get(0))
                .doesNotContain("Shackleton", "Magellan");
        assertThat(none.out).contains("tenant acme has no quota state");
    }

    @Test
    void shouldEraseATenantsQuotaAndKeepEveryOtherKey() throws Exception {
        Path erased = tmp.resolve("without-initech");
        Run erase =
                run(
                        "erase-tenant",
                        QUOTA_SAVEPOINT.toString(),
                        INITECH,
                        "--out",
                        erased.toString());

        assertThat(erase.code).as(erase.err).isZero();
        assertThat(erase.out)
                .contains("erased tenant initech: 3 threads, 3 conversations, 1 quotas, 1 turns");
        SavepointContents before = SavepointInspector.read(QUOTA_SAVEPOINT);
        SavepointContents after = SavepointInspector.read(erased);
        assertThat(after.tenants()).containsExactly(ACME, GLOBEX);
        assertThat(after.quotaKeys()).isEmpty();
        assertThat(after.operators()).isEqualTo(before.operators());
        assertSameKeys(after.threadKeys(), without(INITECH, before.threadKeys()));
        assertSameKeys(after.conversationKeys(), without(INITECH, before.conversationKeys()));
        assertThat(after.inFlight()).extracting(t -> t.tenant).containsExactly(GLOBEX);
    }

    private static List<KeyState> without(String tenant, List<KeyState> keys) {
        return keys.stream().filter(k -> !tenant.equals(TenantNames.tenantOf(k.key))).toList();
    }

    private static List<KeyState> acmeOnly(List<KeyState> keys) {
        return keys.stream().filter(k -> ACME.equals(TenantNames.tenantOf(k.key))).toList();
    }

    /** The same keys with the same stored bytes (values with their write times) and timers. */
    private static void assertSameKeys(List<KeyState> actual, List<KeyState> expected) {
        assertThat(actual)
                .extracting(StateToolITCase::fingerprint)
                .containsExactlyInAnyOrderElementsOf(
                        expected.stream().map(StateToolITCase::fingerprint).toList());
    }

    private static String fingerprint(KeyState key) {
        List<String> entries =
                Arrays.stream(key.entries)
                        .map(
                                e ->
                                        e.state
                                                + "|"
                                                + Arrays.toString(e.userKey)
                                                + "|"
                                                + Arrays.toString(e.value))
                        .sorted()
                        .toList();
        return key.key
                + entries
                + Arrays.toString(key.processingTimers)
                + Arrays.toString(key.eventTimers);
    }

    private record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().skip(1).toList();
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                StateCommand.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
