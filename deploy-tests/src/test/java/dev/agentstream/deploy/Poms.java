package dev.agentstream.deploy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The few facts of the Maven build that the deployment files must agree with. */
final class Poms {

    private Poms() {}

    static String flinkVersion() {
        return tag(Repo.read(Repo.path("pom.xml")), "flink.version");
    }

    static String projectVersion() {
        String pom = Repo.read(Repo.path("pom.xml"));
        return tag(pom.substring(pom.indexOf("</artifactId>")), "version");
    }

    /** The file name the shade plugin gives the job jar, e.g. agentstream-job-1.0-shaded.jar. */
    static String shadedJobJar() {
        String pom = Repo.read(Repo.path("job/pom.xml"));
        String artifactId = tag(pom.substring(pom.indexOf("</parent>")), "artifactId");
        return artifactId
                + "-"
                + projectVersion()
                + "-"
                + tag(pom, "shadedClassifierName")
                + ".jar";
    }

    /** The file name of the devtools jar, beside its lib/ folder. */
    static String devtoolsJar() {
        return tag(Repo.read(Repo.path("devtools/pom.xml")), "finalName") + ".jar";
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(xml);
        if (!m.find()) {
            throw new IllegalStateException("no <" + name + "> found");
        }
        return m.group(1).trim();
    }
}
