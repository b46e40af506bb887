package dev.agentstream.deploy;

import java.util.ArrayList;
import java.util.List;

/** The instructions of the project's Dockerfiles, read line by line (no continuations used). */
final class Dockerfiles {

    static final String JOB = "deploy/docker/Dockerfile";
    static final String SIMULATOR = "deploy/docker/llm-sim.Dockerfile";

    /** One COPY: its sources and its destination, options such as --chown left out. */
    record Copy(List<String> sources, String destination) {}

    private Dockerfiles() {}

    static List<String> instructions(String dockerfile, String keyword) {
        List<String> found = new ArrayList<>();
        for (String line : Repo.read(Repo.path(dockerfile)).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith(keyword + " ")) {
                found.add(trimmed.substring(keyword.length() + 1).strip());
            }
        }
        return found;
    }

    static List<Copy> copies(String dockerfile) {
        List<Copy> copies = new ArrayList<>();
        for (String copy : instructions(dockerfile, "COPY")) {
            List<String> words = new ArrayList<>();
            for (String word : copy.split("\\s+")) {
                if (!word.startsWith("--")) {
                    words.add(word);
                }
            }
            copies.add(new Copy(words.subList(0, words.size() - 1), words.get(words.size() - 1)));
        }
        return copies;
    }

    /** Where the job image holds the job jar. */
    static String jobJarInImage() {
        return copies(JOB).stream()
                .filter(c -> c.sources().stream().anyMatch(s -> s.startsWith("job/target/")))
                .map(Copy::destination)
                .findFirst()
                .orElseThrow();
    }
}
