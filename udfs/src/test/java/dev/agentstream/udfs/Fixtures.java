package dev.agentstream.udfs;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.registry.Registry;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Named values and tiny builders shared by the udfs tests. */
public final class Fixtures {

    public static final String THREAD_A = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";
    public static final String THREAD_B = "b2e84d10-77c3-4f6a-8e09-51a6d2c4f3b7";

    /** The hello-world organism in our own words, shaped like upstream's. */
    public static final String HELLO_YAML =
            String.join(
                    "\n",
                    "organism:",
                    "  name: hello-world",
                    "llm:",
                    "  strategy: failover",
                    "  backends:",
                    "    - provider: xai",
                    "      api_key_env: XAI_API_KEY",
                    "listeners:",
                    "  - name: greeter",
                    "    payload_class: handlers.hello.Greeting",
                    "    description: Greets and forwards to shouter",
                    "    agent: true",
                    "    peers: [shouter]",
                    "    prompt: Be friendly.",
                    "  - name: shouter",
                    "    payload_class: handlers.hello.GreetingResponse",
                    "    description: Shouts in capitals",
                    "    agent: false",
                    "  - name: response-handler",
                    "    payload_class: handlers.hello.ShoutedResponse",
                    "    agent: false",
                    "");

    /** Registry settings with a key in a file of its own, written once per test run. */
    private static RegistrySettings registry;

    private Fixtures() {}

    /** The subthread the job opens for a call, under the tests' registry key. */
    public static String subthread(String parent, String inputEnvelopeId, String agent, int i) {
        return new Registry(registry(), EnvelopeLimits.defaults())
                .subthread("", parent, inputEnvelopeId, agent, i);
    }

    /** Registry settings whose key file exists, shared by every udfs test. */
    public static synchronized RegistrySettings registry() {
        if (registry == null) {
            try {
                Path key = Files.createTempFile("agentstream-registry", ".key");
                key.toFile().deleteOnExit();
                Files.writeString(key, "udfs-tests-registry-key-0123456789abcdef");
                registry = new RegistrySettings(key.toString(), "UNUSED", 3);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return registry;
    }

    public static Organism helloWorld() {
        return OrganismLoader.parse(HELLO_YAML, "fixture");
    }

    /** A namespace-less payload envelope, as upstream's listeners write them. */
    public static Envelope envelope(String thread, String from, String to, String root, String id) {
        String xml = "<" + root + "><text>" + id + "</text></" + root + ">";
        Envelope e = new Envelope(from, to, thread, xml, root, "");
        e.envelopeId = id;
        return e;
    }

    /** A turn of the hello-world greeter answering a Greeting from the console on thread A. */
    public static Turn turn() {
        Turn turn = new Turn();
        turn.thread = THREAD_A;
        turn.agent = "greeter";
        turn.replyTo = "console";
        turn.inputRoot = "Greeting";
        turn.inputEnvelopeId = "bus-0-7";
        turn.model = "grok-3-mini";
        turn.maxTokens = 100;
        turn.messages = new ChatMessage[] {new ChatMessage("user", "<Greeting/>")};
        turn.createdAt = 1_700_000_000_000L;
        return turn;
    }

    /** {@code ../shared/xml-pipeline/<name>} found by walking up from the working directory. */
    public static Optional<Path> upstreamFile(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("xml-pipeline").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
