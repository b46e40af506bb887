package dev.agentstream.udfs.quota;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuotaTableTest {

    private static final QuotaLimits DEFAULTS =
            new QuotaLimits(6_000, 1_000_000, Duration.ofMinutes(1));

    @TempDir Path dir;

    @Test
    void shouldOverrideTheDefaultsPerTenantFieldByField() throws Exception {
        QuotaTable table =
                load(
                        "tenants:\n"
                                + "  acme:\n"
                                + "    tokens-per-minute: 20000\n"
                                + "    max-wait: 30 s\n"
                                + "  bigco:\n"
                                + "    tokens-per-minute: 0\n"
                                + "    budget-tokens: 0\n");

        assertThat(table.of("acme"))
                .isEqualTo(new QuotaLimits(20_000, 1_000_000, Duration.ofSeconds(30)));
        assertThat(table.of("bigco").unlimited()).isTrue();
        assertThat(table.of("someone-else")).isEqualTo(DEFAULTS);
        assertThat(table.limitsAny()).isTrue();
        assertThat(table.longestWait()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void shouldReadAnEmptyFileAsTheDefaults() throws Exception {
        assertThat(load("").of("acme")).isEqualTo(DEFAULTS);
    }

    @Test
    void shouldRefuseWhatItDoesNotKnowWithItsPlace() {
        assertThatThrownBy(() -> load("tenant:\n  acme: {}\n"))
                .hasMessageContaining("unknown key tenant");
        assertThatThrownBy(() -> load("tenants:\n  acme:\n    tokens-per-hour: 5\n"))
                .hasMessageContaining("tenant acme")
                .hasMessageContaining("tokens-per-hour");
        assertThatThrownBy(() -> load("tenants:\n  Acme Corp:\n    budget-tokens: 5\n"))
                .hasMessageContaining("is not a tenant name");
        assertThatThrownBy(() -> load("tenants:\n  acme:\n    budget-tokens: -5\n"))
                .hasMessageContaining("budget-tokens is not a whole number >= 0");
        assertThatThrownBy(() -> load("tenants:\n  acme:\n    max-wait: soon\n"))
                .hasMessageContaining("tenant acme");
        assertThatThrownBy(() -> QuotaTable.load(DEFAULTS, dir.resolve("absent.yaml")))
                .hasMessageContaining("cannot read the quota file");
    }

    @Test
    void shouldRefuseARateTooSmallForOneTokenPerWindow() {
        assertThatThrownBy(
                        () ->
                                new QuotaSettings(
                                        Duration.ofSeconds(1),
                                        Duration.ofDays(1),
                                        Duration.ofMinutes(1),
                                        QuotaTable.of(new QuotaLimits(30, 0, Duration.ZERO))))
                .hasMessageContaining("less than one token per quota.window");
        assertThatThrownBy(
                        () ->
                                new QuotaSettings(
                                        Duration.ofMinutes(2),
                                        Duration.ofDays(1),
                                        Duration.ofMinutes(1),
                                        QuotaTable.of(DEFAULTS)))
                .hasMessageContaining("quota.reservation-ttl");
    }

    @Test
    void shouldGiveEachWindowItsShareOfAMinute() {
        assertThat(new QuotaLimits(6_000, 0, Duration.ZERO).capacity(Duration.ofSeconds(10)))
                .isEqualTo(1_000);
        assertThat(new QuotaLimits(Long.MAX_VALUE, 0, Duration.ZERO).capacity(Duration.ofDays(1)))
                .isPositive();
    }

    private QuotaTable load(String yaml) throws Exception {
        Path file = dir.resolve("quotas.yaml");
        Files.writeString(file, yaml);
        return QuotaTable.load(DEFAULTS, file);
    }
}
