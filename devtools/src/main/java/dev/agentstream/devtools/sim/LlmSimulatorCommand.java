package dev.agentstream.devtools.sim;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs an {@link LlmSimulator} until the process is stopped, printing its base URL. */
@Command(
        name = "llm-simulator",
        mixinStandardHelpOptions = true,
        description =
                "Serves deterministic OpenAI, Anthropic and Ollama chat replies on 127.0.0.1.")
final class LlmSimulatorCommand implements Callable<Integer> {

    @Option(
            names = "--port",
            defaultValue = "0",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--latency-ms",
            defaultValue = "0",
            description = "Delay of every chat reply in milliseconds (default: ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(
            names = "--context-window",
            defaultValue = "0",
            description =
                    "Prompt tokens beyond which a request gets a context-length error; 0 for no"
                            + " limit (default: ${DEFAULT-VALUE}).")
    int contextWindow;

    @Override
    public Integer call() throws Exception {
        LlmSimulator simulator = LlmSimulator.start(port);
        simulator.setLatency(Duration.ofMillis(latencyMs));
        simulator.setContextWindow(contextWindow);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    simulator.close();
                                    stopped.countDown();
                                },
                                "llm-sim-shutdown"));
        System.out.println(simulator.baseUrl());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
