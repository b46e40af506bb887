package dev.agentstream.udfs.billing;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.TurnResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PriceTableTest {

    private static final PriceTable SHIPPED = PriceTable.load(PriceTable.DEFAULT_VERSION);

    @Test
    void shouldPriceAKnownModelExactlyPerMillionTokens() {
        // gpt-4o-mini: 0.15 in, 0.60 out per million.
        BigDecimal cost = SHIPPED.price("gpt-4o-mini").orElseThrow().cost(1_000, 200, 0, 0);

        assertThat(UsageRecords.plain(cost)).isEqualTo("0.00027");
    }

    @Test
    void shouldPriceCacheReadsAndWritesApartFromPlainInput() {
        // claude-sonnet-4: 3.00 in, 15.00 out, 0.30 cache read, 3.75 cache write per million;
        // 1,000 input tokens of which 600 read from the cache and 300 written to it.
        BigDecimal cost =
                SHIPPED.price("claude-sonnet-4-20250514").orElseThrow().cost(1_000, 10, 600, 300);

        // 100 * 3.00 + 10 * 15.00 + 600 * 0.30 + 300 * 3.75 = 1,755 per million
        assertThat(UsageRecords.plain(cost)).isEqualTo("0.001755");
    }

    @Test
    void shouldKnowNoModelItDoesNotList() {
        assertThat(SHIPPED.price("gpt-4o-2024-05-13")).isEmpty();
        assertThat(SHIPPED.price("sim-1")).isEmpty();
        assertThat(SHIPPED.price(null)).isEmpty();
    }

    @Test
    void shouldRecordTheVersionAndCurrencyOnEveryRecord() {
        List<UsageRecord> unpriced = new ArrayList<>();
        UsageRecord u = records(unpriced).of(ok(reply("grok-3", 40, 9, 0, 0)));

        assertThat(u.cost).isEqualTo("0.000255"); // 40 * 3.00 + 9 * 15.00 per million
        assertThat(u.priceVersion).isEqualTo("2026-01");
        assertThat(u.costCurrency).isEqualTo("USD");
        assertThat(unpriced).isEmpty();
    }

    @Test
    void shouldGiveAnUnknownModelNoCostAndSaySo() {
        List<UsageRecord> unpriced = new ArrayList<>();
        UsageRecord u = records(unpriced).of(ok(reply("mystery-9", 40, 9, 0, 0)));

        assertThat(u.cost).isNull();
        assertThat(u.priceVersion).isEqualTo("2026-01");
        assertThat(unpriced).containsExactly(u);
    }

    @Test
    void shouldCostNothingForACacheHitWhateverTheModel() {
        List<UsageRecord> unpriced = new ArrayList<>();
        LlmReply hit = reply("mystery-9", 40, 9, 0, 0).asCacheHit();

        UsageRecord u = records(unpriced).of(ok(hit));

        assertThat(u.cacheHit).isTrue();
        assertThat(u.cost).isEqualTo("0");
        assertThat(u.attempts).isZero();
        assertThat(unpriced).isEmpty();
    }

    @Test
    void shouldPriceByTheRequestModelWhenNoProviderAnswered() {
        List<UsageRecord> unpriced = new ArrayList<>();

        UsageRecord failed = records(unpriced).of(TurnResult.failed(Fixtures.turn(), "boom", 3));
        UsageRecord rejected = records(unpriced).of(TurnResult.rejected(Fixtures.turn(), "limit"));

        assertThat(failed.cost).isEqualTo("0");
        assertThat(failed.attempts).isEqualTo(1);
        assertThat(rejected.cost).isEqualTo("0");
        assertThat(rejected.attempts).isZero();
        assertThat(unpriced).isEmpty();
    }

    @Test
    void shouldPriceADatedSnapshotItListsAsItsModelAndNoOtherName() {
        ModelPrice alias = SHIPPED.price("gpt-4o-mini").orElseThrow();

        assertThat(SHIPPED.price("gpt-4o-mini-2024-07-18")).contains(alias);
        assertThat(SHIPPED.price("gpt-4o-mini-2099-01-01")).isEmpty();
    }

    @Test
    void shouldRefuseAModelPricedTwice(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("twice.yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "version: t",
                        "currency: USD",
                        "models:",
                        "  a: {input: '1', output: '1', cache-read: '1', cache-write: '1'}",
                        "  b:",
                        "    snapshots: [a]",
                        "    input: '2'",
                        "    output: '2'",
                        "    cache-read: '2'",
                        "    cache-write: '2'"));

        assertThatThrownBy(() -> PriceTable.load(file.toString()))
                .hasMessageContaining("'a' is priced twice");
    }

    @Test
    void shouldLoadATableFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mine.yaml");
        Files.writeString(
                file,
                "version: test-1\ncurrency: EUR\nmodels:\n  sim-1:\n    input: 1\n"
                        + "    output: 2.5\n    cache-read: 0.1\n    cache-write: 1.25\n");

        PriceTable table = PriceTable.load(file.toString());

        assertThat(table.version()).isEqualTo("test-1");
        assertThat(table.currency()).isEqualTo("EUR");
        assertThat(UsageRecords.plain(table.price("sim-1").orElseThrow().cost(10, 10, 0, 0)))
                .isEqualTo("0.000035");
    }

    @Test
    void shouldRefuseATableWithoutEveryPrice(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(
                file, "version: x\ncurrency: USD\nmodels:\n  m:\n    input: 1\n    output: 2\n");

        assertThatThrownBy(() -> PriceTable.load(file.toString()))
                .hasMessageContaining("models.m.cache-read is required");
        assertThatThrownBy(() -> PriceTable.load("1999-01"))
                .hasMessageContaining("no price table of version 1999-01");
    }

    private static UsageRecords records(List<UsageRecord> unpriced) {
        return new UsageRecords(
                Fixtures.helloWorld(), UsageSettings.defaults(), SHIPPED, unpriced::add);
    }

    private static TurnResult ok(LlmReply reply) {
        return TurnResult.ok(Fixtures.turn(), reply, 25);
    }

    private static LlmReply reply(String model, int in, int out, int read, int write) {
        return new LlmReply("Hi.", in, out, model, "r-1", "stop", read, write, false);
    }
}
