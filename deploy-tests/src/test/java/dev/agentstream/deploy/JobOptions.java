package dev.agentstream.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's option keys and areas, read from {@code AgentStreamOptions.java}, to check the
 * arguments the manifests pass as the job itself would: a key in one of the job's areas that names
 * no option is refused at start.
 */
final class JobOptions {

    static final String SOURCE = "job/src/main/java/dev/agentstream/job/AgentStreamOptions.java";

    private static final Pattern KEY = Pattern.compile("ConfigOptions\\.key\\(\"([^\"]+)\"\\)");
    private static final Pattern AREAS = Pattern.compile("AREAS\\s*=\\s*List\\.of\\(([^;]*)\\);");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

    private final String source;
    private final Set<String> keys = new TreeSet<>();
    private final List<String> areas = new ArrayList<>();

    private JobOptions(String source) {
        this.source = source;
        Matcher key = KEY.matcher(source);
        while (key.find()) {
            keys.add(key.group(1));
        }
        Matcher areaList = AREAS.matcher(source);
        if (!areaList.find()) {
            throw new IllegalStateException("no AREAS list in " + SOURCE);
        }
        Matcher area = QUOTED.matcher(areaList.group(1));
        while (area.find()) {
            areas.add(area.group(1));
        }
    }

    static JobOptions read() {
        return new JobOptions(Repo.read(Repo.path(SOURCE)));
    }

    Set<String> keys() {
        return keys;
    }

    /** The default of a string option, e.g. {@code bus.topic}. */
    Optional<String> stringDefault(String key) {
        Matcher m =
                Pattern.compile(
                                "key\\(\""
                                        + Pattern.quote(key)
                                        + "\"\\)\\s*\\.stringType\\(\\)\\s*\\.defaultValue\\(\"([^\"]*)\"\\)")
                        .matcher(source);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * What the job would refuse in {@code --key value} arguments: a key of its areas it does not
     * know, or a key without a value.
     */
    List<String> problems(List<String> args) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                problems.add("'" + arg + "' is not a --key");
                continue;
            }
            String key = arg.substring(2);
            if (areas.stream().anyMatch(key::startsWith) && !keys.contains(key)) {
                problems.add(key + " is no option of the job");
            }
            if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                problems.add(key + " has no value");
            } else {
                i++;
            }
        }
        return problems;
    }

    /** The value given for {@code --key}, if any. */
    static Optional<String> value(List<String> args, String key) {
        int at = args.indexOf("--" + key);
        return at >= 0 && at + 1 < args.size() ? Optional.of(args.get(at + 1)) : Optional.empty();
    }
}
