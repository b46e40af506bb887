package dev.agentstream.udfs.llm;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.agentstream.udfs.llm.ProviderStandIn.failure;
import static dev.agentstream.udfs.llm.ProviderStandIn.reply;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every protocol gets from the shared transport, checked on each: one idempotency key per
 * turn, no response as status 0, no redirects, a bounded body, and an abort on cancel.
 */
class ProviderTransportTest {

    private static final Map<String, String> OK_BODIES =
            Map.of(
                    "openai",
                    "{\"choices\":[{\"message\":{\"content\":\"<Pong/>\"}}]}",
                    "anthropic",
                    "{\"content\":[{\"type\":\"text\",\"text\":\"<Pong/>\"}]}",
                    "ollama",
                    "{\"message\":{\"role\":\"assistant\",\"content\":\"<Pong/>\"}}");

    private ProviderStandIn provider;

    @BeforeEach
    void start() throws IOException {
        provider = ProviderStandIn.start();
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void shouldSendOneIdempotencyKeyPerTurnOnEveryAttempt(String name) throws Exception {
        provider.answer(200, OK_BODIES.get(name));
        Turn other = Fixtures.turn();
        other.inputEnvelopeId = "bus-0-8";

        try (LlmClient client = client(name, provider.url())) {
            reply(client.complete(Fixtures.turn()));
            reply(client.complete(Fixtures.turn().withModel("another-model")));
            reply(client.complete(other));
        }

        assertThat(provider.requests())
                .extracting(r -> r.header("Idempotency-Key"))
                .doesNotContainNull()
                .satisfies(
                        keys -> {
                            assertThat(keys.get(0)).isEqualTo(keys.get(1));
                            assertThat(keys.get(2)).isNotEqualTo(keys.get(0));
                        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void shouldFailWithStatusZeroWhenNothingAnswers(String name) throws Exception {
        try (LlmClient client = client(name, "http://127.0.0.1:" + ProviderStandIn.closedPort())) {
            LlmCallException e = failure(client.complete(Fixtures.turn()));

            assertThat(e.status()).isZero();
            assertThat(e.getMessage()).startsWith("no response: ");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void shouldNotFollowARedirect(String name) throws Exception {
        provider.answer(302, "", "Location", provider.url() + "/elsewhere");

        try (LlmClient client = client(name, provider.url())) {
            LlmCallException e = failure(client.complete(Fixtures.turn()));

            assertThat(e.status()).isEqualTo(302);
        }
        assertThat(provider.requests()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void shouldRefuseADeclaredBodyOverTheBound(String name) throws Exception {
        byte[] huge = new byte[HttpTransport.MAX_BODY_BYTES + 1];
        provider.answer(
                exchange -> {
                    exchange.sendResponseHeaders(200, huge.length);
                    exchange.getResponseBody().write(huge);
                });

        try (LlmClient client = client(name, provider.url())) {
            LlmCallException e = failure(client.complete(Fixtures.turn()));

            assertThat(e.status()).as("unreadable, for the router").isEqualTo(200);
            assertThat(e.getMessage()).isEqualTo("HTTP 200 with a body over 8388608 bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void shouldStopReadingAnUndeclaredBodyPastTheBound(String name) throws Exception {
        byte[] chunk = new byte[64 * 1024];
        provider.answer(
                exchange -> {
                    exchange.sendResponseHeaders(500, 0); // chunked: no length said
                    OutputStream body = exchange.getResponseBody();
                    for (int sent = 0; sent <= HttpTransport.MAX_BODY_BYTES; sent += chunk.length) {
                        body.write(chunk);
                    }
                    body.write(chunk);
                });

        try (LlmClient client = client(name, provider.url())) {
            LlmCallException e = failure(client.complete(Fixtures.turn()));

            assertThat(e.status()).isEqualTo(500);
            assertThat(e.getMessage()).isEqualTo("HTTP 500 with a body over 8388608 bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void shouldAbortTheRequestWhenTheCallIsCancelled(String name) throws Exception {
        provider.trickle();

        // A request timeout far past the wait below: only the abort can drop the connection.
        try (LlmClient client =
                ProviderClients.factory(name, provider.url(), "", Duration.ofSeconds(60))
                        .create()) {
            CompletableFuture<LlmReply> call = client.complete(Fixtures.turn());
            Thread.sleep(200); // the stand-in is sending by now
            call.cancel(true);

            assertThat(provider.hungUp.await(3, TimeUnit.SECONDS))
                    .as("the connection was dropped")
                    .isTrue();
        }
    }

    private static LlmClient client(String name, String url) {
        return ProviderClients.factory(name, url, "", Duration.ofSeconds(5)).create();
    }
}
