package dev.agentstream.devtools.local;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.agentstream.devtools.dynamodb.Dynalite;
import dev.agentstream.devtools.kafka.KafkaBroker;
import dev.agentstream.devtools.sim.LlmSimulator;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.dynamodb.DynamoDbIo;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.organism.Backend;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the whole job on this machine: a Kafka broker process, the LLM simulator (unless the
 * organism's provider key is set), a local Flink cluster with RocksDB state and the web UI. Feeds a
 * file of envelopes onto the bus, prints what the agents answer and a usage summary, and stops when
 * the output has been idle for a while, or on Ctrl-C.
 */
@Command(
        name = "agentstream-local",
        mixinStandardHelpOptions = true,
        description = "Runs an organism on a local Flink cluster over a local Kafka broker.")
public final class LocalRun implements Callable<Integer> {

    @Option(
            names = "--organism",
            defaultValue = HOME + "/examples/organism.yaml",
            description = "Organism file (default: ${DEFAULT-VALUE}).")
    Path organismFile;

    @Option(
            names = "--envelopes",
            defaultValue = HOME + "/examples/envelopes.txt",
            description = "Envelopes to send, one per line (default: ${DEFAULT-VALUE}).")
    Path envelopeFile;

    @Option(
            names = "--idle-seconds",
            defaultValue = "15",
            description =
                    "Stop after this long without new output; 0 runs until Ctrl-C"
                            + " (default: ${DEFAULT-VALUE}).")
    int idleSeconds;

    @Option(
            names = "--web-port",
            defaultValue = "8081",
            description = "Port of the Flink web UI (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--sim-latency-ms",
            defaultValue = "200",
            description = "Latency of the LLM simulator (default: ${DEFAULT-VALUE}).")
    int simLatencyMs;

    @Option(
            names = "--work-dir",
            defaultValue = HOME + "/.local",
            description = "Folder of the broker's data, checkpoints and logs.")
    Path workDir;

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description =
                    "A job option (see the README's options table), e.g. -D llm.max-tokens=200.")
    Map<String, String> jobOptions = new LinkedHashMap<>();

    /** The repository root when started by bin/agentstream-local, else the current folder. */
    private static final String HOME = "${sys:agentstream.home:-.}";

    private final PrintStream out = System.out;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private static final Path LOG_FILE =
            Path.of(System.getProperty("agentstream.home", "."), ".local", "agentstream-local.log")
                    .toAbsolutePath()
                    .normalize();

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new LocalRun());
        cli.setExecutionExceptionHandler(
                (error, command, parsed) -> {
                    // To the log file only: the console gets the one-line cause.
                    LoggerFactory.getLogger(LocalRun.class).warn("Local run failed", error);
                    command.getErr().printf("agentstream-local failed: %s%n", rootCause(error));
                    command.getErr().println("Details: " + LOG_FILE);
                    return 1;
                });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        AgentStreamOptions.checkKeys(jobOptions.keySet());
        Organism organism = OrganismLoader.load(organismFile);
        List<String> envelopes = EnvelopeFile.read(envelopeFile);
        Path runDir = Files.createDirectories(workDir.toAbsolutePath().resolve(runName()));
        Runtime.getRuntime().addShutdownHook(new Thread(this::onCtrlC, "agentstream-local-stop"));
        out.printf(
                "AgentStream local run: organism %s, %d envelope(s) from %s%n",
                organism.name(), envelopes.size(), envelopeFile);
        try (LlmSimulator simulator = startSimulatorUnlessKeyIsSet(organism.llm().primary());
                KafkaBroker broker = KafkaBroker.start(runDir.resolve("kafka"));
                Dynalite dynamo = startDynaliteIfBilling(runDir)) {
            out.printf("Kafka broker at %s (data in %s)%n", broker.bootstrapServers(), runDir);
            if (stopRequested) {
                return 130;
            }
            Configuration conf = jobConfig(runDir, broker, simulator);
            if (dynamo != null) {
                conf.set(AgentStreamOptions.DYNAMODB_ENDPOINT, dynamo.endpoint());
                dynamo.createTables(DynamoDbIo.tables(conf));
            }
            broker.createTopics(
                    parallelism,
                    conf.get(AgentStreamOptions.BUS_TOPIC),
                    conf.get(AgentStreamOptions.USAGE_TOPIC),
                    conf.get(AgentStreamOptions.DEAD_LETTER_TOPIC));
            conf.getOptional(AgentStreamOptions.BUS_INGRESS_TOPIC)
                    .ifPresent(ingress -> broker.createTopics(parallelism, ingress));
            return runJob(conf, organism, broker, envelopes, started);
        } finally {
            finished.countDown();
        }
    }

    private int runJob(
            Configuration conf,
            Organism organism,
            KafkaBroker broker,
            List<String> envelopes,
            long started)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        AgentStreamGraph.build(
                env,
                organism,
                conf,
                KafkaIo.from(conf, "agentstream-local"),
                DynamoDbIo.from(conf));
        if (stopRequested) {
            return 130;
        }
        JobClient job = env.executeAsync("agentstream-local");
        out.printf(
                "Flink job %s running; web UI at http://localhost:%d%n", job.getJobID(), webPort);
        try (BusWatcher watcher = watcher(conf, broker, organism)) {
            // A client writes to the ingress when the job has one, else to the bus.
            String inputs =
                    conf.getOptional(AgentStreamOptions.BUS_INGRESS_TOPIC)
                            .orElse(conf.get(AgentStreamOptions.BUS_TOPIC));
            int sent = new BusFeeder(broker.bootstrapServers(), inputs).send(envelopes);
            out.printf("Sent %d envelope(s) to %s. Agents answer:%n", sent, inputs);
            boolean failed = watchUntilIdle(watcher, job);
            printSummary(watcher, started);
            return failed ? 1 : 0;
        } finally {
            stopJob(job);
        }
    }

    private boolean watchUntilIdle(BusWatcher watcher, JobClient job) throws Exception {
        long idleLimit = TimeUnit.SECONDS.toNanos(idleSeconds);
        long lastOutput = System.nanoTime();
        JobStatus previous = JobStatus.RUNNING;
        int restarts = 0;
        while (!stopRequested) {
            if (watcher.poll(Duration.ofMillis(500)) > 0) {
                lastOutput = System.nanoTime();
            }
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                out.printf("The job stopped by itself: %s (see %s)%n", status, LOG_FILE);
                return true;
            }
            if (status != JobStatus.RUNNING && previous == JobStatus.RUNNING) {
                restarts++;
                out.printf("The job is %s: a task failed (see %s)%n", status, LOG_FILE);
            }
            previous = status;
            if (idleSeconds > 0 && System.nanoTime() - lastOutput > idleLimit) {
                out.printf("No new output for %d s: stopping.%n", idleSeconds);
                break;
            }
        }
        return restarts > 0;
    }

    private void printSummary(BusWatcher watcher, long started) {
        out.println();
        out.printf(
                "Answers: %d envelopes from agents; dead letters: %d%n",
                watcher.answers(), watcher.deadLetters());
        out.println("Usage (tokens per agent and model):");
        watcher.usage().print(out);
        out.printf("Wall time: %.1f s. Logs: %s%n", (System.nanoTime() - started) / 1e9, LOG_FILE);
    }

    private LlmSimulator startSimulatorUnlessKeyIsSet(Backend backend) throws Exception {
        String keyEnv = backend.apiKeyEnv();
        boolean keySet = !keyEnv.isEmpty() && System.getenv(keyEnv) != null;
        String baseUrl = jobOptions.get(AgentStreamOptions.LLM_BASE_URL.key());
        if (baseUrl != null) {
            out.printf("LLM provider: %s (llm.base-url)%n", baseUrl);
            return null;
        }
        if (keySet) {
            out.printf(
                    "LLM provider: %s, model %s at %s (key from %s)%n",
                    backend.provider(), backend.model(), backend.baseUrl(), keyEnv);
            return null;
        }
        LlmSimulator simulator = LlmSimulator.start(0);
        simulator.setLatency(Duration.ofMillis(simLatencyMs));
        out.printf(
                "LLM provider: the AgentStream simulator at %s, because %s is not set"
                        + " (set it to call %s for real)%n",
                simulator.baseUrl(),
                keyEnv.isEmpty() ? "no key variable" : keyEnv,
                backend.provider());
        return simulator;
    }

    /**
     * dynalite on loopback when {@code -D dynamodb.enabled=true} names no endpoint of its own, so
     * that the billing stages have tables to write; else none.
     */
    private Dynalite startDynaliteIfBilling(Path runDir) throws IOException {
        boolean billing =
                Boolean.parseBoolean(jobOptions.get(AgentStreamOptions.DYNAMODB_ENABLED.key()));
        if (!billing || jobOptions.containsKey(AgentStreamOptions.DYNAMODB_ENDPOINT.key())) {
            return null;
        }
        Dynalite dynamo = Dynalite.start(runDir.resolve("dynalite"), Dynalite.defaultInstallDir());
        out.printf("DynamoDB (dynalite) at %s for the billing tables%n", dynamo.endpoint());
        return dynamo;
    }

    private Configuration jobConfig(Path runDir, KafkaBroker broker, LlmSimulator simulator)
            throws IOException {
        Configuration conf = LocalFlinkConfig.create(runDir, webPort, parallelism);
        conf.set(AgentStreamOptions.ORGANISM_PATH, organismFile.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        if (simulator != null) {
            conf.set(AgentStreamOptions.LLM_BASE_URL, simulator.baseUrl());
        }
        jobOptions.forEach(conf::setString);
        boolean keyGiven =
                conf.contains(AgentStreamOptions.REGISTRY_KEY_FILE)
                        || System.getenv(conf.get(AgentStreamOptions.REGISTRY_KEY_ENV)) != null;
        if (!keyGiven) {
            conf.set(
                    AgentStreamOptions.REGISTRY_KEY_FILE,
                    LocalRegistryKey.ensure(workDir.toAbsolutePath()).toString());
        }
        return conf;
    }

    private BusWatcher watcher(Configuration conf, KafkaBroker broker, Organism organism) {
        return new BusWatcher(
                broker.bootstrapServers(),
                new BusWatcher.Topics(
                        conf.get(AgentStreamOptions.BUS_TOPIC),
                        conf.get(AgentStreamOptions.USAGE_TOPIC),
                        conf.get(AgentStreamOptions.DEAD_LETTER_TOPIC)),
                organism,
                out);
    }

    private void stopJob(JobClient job) {
        try {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            out.printf("Could not cancel the job cleanly: %s%n", e);
        }
    }

    private void onCtrlC() {
        if (finished.getCount() == 0) {
            return;
        }
        stopRequested = true;
        out.println("Stopping (Ctrl-C)...");
        try {
            finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == error ? error.toString() : error + " (cause: " + cause + ")";
    }

    private static String runName() {
        return "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }
}
