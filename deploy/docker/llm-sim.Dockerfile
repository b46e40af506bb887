# The LLM simulator of devtools (deterministic OpenAI chat completions) for the compose stack.
# Build devtools first (it copies its runtime dependencies into devtools/target/lib), then
# build from the repository root:
#
#   mvn -B package -DskipTests
#   docker build -f deploy/docker/llm-sim.Dockerfile -t agentstream/llm-sim:0.1.0-SNAPSHOT .
#
# The simulator listens on 127.0.0.1 only, so the compose stack runs it in the TaskManager's
# network namespace, where the llm-call tasks reach it on 127.0.0.1.
FROM eclipse-temurin:17-jre

WORKDIR /opt/agentstream-devtools
COPY devtools/target/lib/ lib/
COPY devtools/target/agentstream-devtools.jar ./
COPY deploy/docker/llm-sim-log4j2.properties ./log4j2.properties

USER 65532:65532
ENTRYPOINT ["java", "-Dlog4j2.configurationFile=/opt/agentstream-devtools/log4j2.properties", "-cp", "agentstream-devtools.jar:lib/*", "dev.agentstream.devtools.sim.LlmSimulator"]
CMD ["--port", "8089", "--latency-ms", "200"]
