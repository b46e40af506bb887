package dev.agentstream.bench.router;

import dev.agentstream.bench.harness.Comparison;
import dev.agentstream.bench.harness.Side;
import dev.agentstream.bench.router.BareHttpSide.Reading;
import dev.agentstream.devtools.sim.LlmSimulator;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the router costs on top of the HTTP call it makes: the same chat request, to the same {@link
 * LlmSimulator} on loopback in this process, sent by a bare HTTP client (reading bytes, then also
 * parsing JSON) and by the job's router.
 */
public final class RouterOverhead implements Comparison {

    public static final String NAME = "router-overhead";

    /**
     * Whether the JDK's HTTP server (the simulator's) sets TCP_NODELAY. It does not by default, and
     * then each reply's body waits for the client's delayed ACK of its headers: about 40 ms per
     * exchange on Linux, which would hide everything else. The server reads it once, when the first
     * one starts in the JVM.
     */
    public static final String SERVER_NODELAY = "sun.net.httpserver.nodelay";

    private final LlmSimulator simulator;
    private final Duration latency;
    private final Duration timeout;
    private final String serverNoDelay;
    private final List<Side> sides;

    private RouterOverhead(
            LlmSimulator simulator, Duration latency, Duration timeout, String serverNoDelay) {
        this.simulator = simulator;
        this.latency = latency;
        this.timeout = timeout;
        this.serverNoDelay = serverNoDelay;
        ChatWorkload workload = new ChatWorkload();
        Duration drain = timeout.plusSeconds(15);
        String baseUrl = simulator.baseUrl();
        this.sides =
                List.of(
                        new BareHttpSide(baseUrl, workload, Reading.BYTES, timeout, drain),
                        new BareHttpSide(baseUrl, workload, Reading.JSON, timeout, drain),
                        new RouterSide(baseUrl, workload, timeout, drain));
    }

    /**
     * Starts the simulator on an ephemeral loopback port, answering after {@code latency}.
     *
     * @param timeout every client's request timeout
     * @param serverNoDelay whether the simulator's replies go out without Nagle's delay; has no
     *     effect when an HTTP server of the JDK already ran in this JVM
     */
    public static RouterOverhead start(Duration latency, Duration timeout, boolean serverNoDelay)
            throws IOException {
        System.setProperty(SERVER_NODELAY, Boolean.toString(serverNoDelay));
        LlmSimulator simulator = LlmSimulator.start(0);
        simulator.setLatency(latency);
        return new RouterOverhead(simulator, latency, timeout, System.getProperty(SERVER_NODELAY));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "one chat request to the LLM simulator on loopback (same process, 4 HTTP threads),"
                + " bare HTTP client vs the job's router";
    }

    @Override
    public List<Side> sides() {
        return sides;
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("latencyMs", latency.toMillis());
        settings.put("simulatorTcpNoDelay", serverNoDelay);
        settings.put("requestTimeoutSeconds", timeout.toSeconds());
        settings.put("requestBodyBytes", new ChatWorkload().body().length);
        settings.put("simulatorRequests", simulator.requestCount());
        return settings;
    }

    /** The simulator's pools and the JDK HTTP server's dispatcher. */
    @Override
    public Predicate<String> serverThreads() {
        return name -> name.startsWith("llm-sim-") || name.equals("HTTP-Dispatcher");
    }

    @Override
    public void close() {
        simulator.close();
    }
}
