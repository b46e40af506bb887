package dev.agentstream.devtools.router;

import dev.agentstream.devtools.sim.LlmSimulator;
import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.OpenAiChatClientFactory;
import dev.agentstream.udfs.router.LlmRouterFactory;
import dev.agentstream.udfs.router.LlmRouterFactory.BackendSpec;
import dev.agentstream.udfs.router.LlmRouterFactory.BreakerSettings;
import dev.agentstream.udfs.router.RetryPolicy;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The router over real HTTP: two simulators on loopback as a primary and a fallback backend, told
 * to fail the way providers do.
 */
class LlmRouterTest {

    private static final RetryPolicy TWO_RETRIES =
            new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(40));

    private LlmSimulator primary;
    private LlmSimulator fallback;

    @BeforeEach
    void start() throws Exception {
        primary = LlmSimulator.start(0);
        fallback = LlmSimulator.start(0);
    }

    @AfterEach
    void stop() {
        primary.close();
        fallback.close();
    }

    @Test
    void shouldRetryAServerErrorOnTheSameBackend() throws Exception {
        try (LlmClient router = router(TWO_RETRIES, BreakerSettings.defaults())) {
            primary.failNext(2, 503);

            LlmReply reply = router.complete(turn()).get(10, TimeUnit.SECONDS);

            assertThat(reply.responseModel()).isEqualTo("primary-model");
            assertThat(primary.requestCount()).isEqualTo(3);
            assertThat(fallback.requestCount()).isZero();
        }
    }

    @Test
    void shouldFallBackWhenRetriesAreSpent() throws Exception {
        try (LlmClient router = router(TWO_RETRIES, BreakerSettings.defaults())) {
            primary.failNext(10, 500);

            LlmReply reply = router.complete(turn()).get(10, TimeUnit.SECONDS);

            assertThat(reply.responseModel()).isEqualTo("fallback-model");
            assertThat(primary.requestCount()).isEqualTo(3);
            assertThat(fallback.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldFallBackAtOnceWhenTheQuotaIsSpent() throws Exception {
        try (LlmClient router = router(TWO_RETRIES, BreakerSettings.defaults())) {
            primary.failNextQuotaExhausted(1);

            LlmReply reply = router.complete(turn()).get(10, TimeUnit.SECONDS);

            assertThat(reply.responseModel()).isEqualTo("fallback-model");
            assertThat(primary.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldGiveUpOnABadRequestWithoutRetryOrFallback() throws Exception {
        try (LlmClient router = router(TWO_RETRIES, BreakerSettings.defaults())) {
            primary.failNext(1, 400);

            assertThatThrownBy(() -> router.complete(turn()).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(
                            LlmCallException.class, e -> assertThat(e.status()).isEqualTo(400));
            assertThat(primary.requestCount()).isEqualTo(1);
            assertThat(fallback.requestCount()).isZero();
        }
    }

    @Test
    void shouldFailWithTheLastCauseWhenEveryBackendFails() throws Exception {
        try (LlmClient router = router(TWO_RETRIES, BreakerSettings.defaults())) {
            primary.failNext(10, 500);
            fallback.failNext(10, 503);

            assertThatThrownBy(() -> router.complete(turn()).get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(LlmCallException.class)
                    .hasMessageContaining("every backend failed")
                    .hasMessageContaining("503");
            assertThat(primary.requestCount()).isEqualTo(3);
            assertThat(fallback.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void shouldStopCallingABackendWhoseCircuitIsOpen() throws Exception {
        BreakerSettings eager = new BreakerSettings(50f, 4, 4, Duration.ofMinutes(5));
        RetryPolicy noRetries = new RetryPolicy(0, Duration.ZERO, Duration.ZERO);
        try (LlmClient router = router(noRetries, eager)) {
            primary.failNext(1_000, 500);
            for (int i = 0; i < 4; i++) {
                router.complete(turn()).get(10, TimeUnit.SECONDS);
            }
            int beforeOpen = primary.requestCount();

            for (int i = 0; i < 10; i++) {
                assertThat(router.complete(turn()).get(10, TimeUnit.SECONDS).responseModel())
                        .isEqualTo("fallback-model");
            }

            assertThat(beforeOpen).isEqualTo(4);
            assertThat(primary.requestCount()).as("calls to an open circuit").isEqualTo(4);
            assertThat(fallback.requestCount()).isEqualTo(14);
        }
    }

    @Test
    void shouldSendACallThePrimaryHasNoRoomForToTheFallback() throws Exception {
        primary.setLatency(Duration.ofMillis(400));
        LlmClient router =
                new LlmRouterFactory(
                                List.of(
                                        new BackendSpec(
                                                "primary",
                                                "primary-model",
                                                client(primary),
                                                0,
                                                1,
                                                0),
                                        spec("fallback", fallback)),
                                TWO_RETRIES,
                                BreakerSettings.defaults())
                        .create();
        try (router) {
            var first = router.complete(turn());
            var second = router.complete(turn());

            assertThat(second.get(10, TimeUnit.SECONDS).responseModel())
                    .isEqualTo("fallback-model");
            assertThat(first.get(10, TimeUnit.SECONDS).responseModel()).isEqualTo("primary-model");
        }
    }

    @Test
    void shouldWaitForRoomWhenNoBackendHasAny() throws Exception {
        primary.setLatency(Duration.ofMillis(200));
        LlmClient router =
                new LlmRouterFactory(
                                List.of(
                                        new BackendSpec(
                                                "primary",
                                                "primary-model",
                                                client(primary),
                                                0,
                                                1,
                                                0)),
                                TWO_RETRIES,
                                BreakerSettings.defaults())
                        .create();
        try (router) {
            var turns = List.of(router.complete(turn()), router.complete(turn()));

            for (var t : turns) {
                assertThat(t.get(10, TimeUnit.SECONDS).responseModel()).isEqualTo("primary-model");
            }
            assertThat(primary.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void shouldSendACallOverThePrimarysTokensPerMinuteToTheFallback() throws Exception {
        // One turn is about 80 tokens (64 completion + the prompt): the second does not fit.
        LlmClient router =
                new LlmRouterFactory(
                                List.of(
                                        new BackendSpec(
                                                "primary",
                                                "primary-model",
                                                client(primary),
                                                120,
                                                0,
                                                0),
                                        spec("fallback", fallback)),
                                TWO_RETRIES,
                                BreakerSettings.defaults())
                        .create();
        try (router) {
            assertThat(router.complete(turn()).get(10, TimeUnit.SECONDS).responseModel())
                    .isEqualTo("primary-model");
            assertThat(router.complete(turn()).get(10, TimeUnit.SECONDS).responseModel())
                    .isEqualTo("fallback-model");
            assertThat(primary.requestCount()).isEqualTo(1);
        }
    }

    private static OpenAiChatClientFactory client(LlmSimulator simulator) {
        return new OpenAiChatClientFactory(simulator.baseUrl(), "", Duration.ofSeconds(5));
    }

    private LlmClient router(RetryPolicy retry, BreakerSettings breaker) {
        return new LlmRouterFactory(
                        List.of(spec("primary", primary), spec("fallback", fallback)),
                        retry,
                        breaker)
                .create();
    }

    private static BackendSpec spec(String name, LlmSimulator simulator) {
        return new BackendSpec(
                name,
                name + "-model",
                new OpenAiChatClientFactory(simulator.baseUrl(), "", Duration.ofSeconds(5)));
    }

    private static Turn turn() {
        Turn t = new Turn();
        t.thread = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";
        t.agent = "greeter";
        t.replyTo = "console";
        t.inputEnvelopeId = "bus-0-1";
        t.model = "primary-model";
        t.maxTokens = 64;
        t.messages =
                new ChatMessage[] {
                    new ChatMessage(ChatMessage.SYSTEM, "Be brief."),
                    new ChatMessage(ChatMessage.USER, "<Greeting>Ada</Greeting>")
                };
        return t;
    }
}
