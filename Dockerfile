# The rtml job image: the official Flink 2.2 image (Java 17) with DJL and the PyTorch CPU natives
# in lib/, the job in usrlib/ and the shipped models in /opt/rtml/model-artifacts. The Helm chart
# (helm/rtml) runs it through the Flink Kubernetes Operator; it also serves as the image of a
# standalone or session cluster. linux/amd64 only: the natives are pytorch-native-cpu linux-x86_64.
#
# Build from the repository's root after building the jar:
#   mvn -B package -DskipTests
#   docker build -t rtml:0.1.0 .

# DJL and what it needs, as scripts/flink-cluster/pom.xml lists them (versions from pom.xml).
FROM maven:3.9-eclipse-temurin-17 AS djl
WORKDIR /build
COPY pom.xml pom.xml
COPY scripts/flink-cluster/pom.xml scripts/flink-cluster/pom.xml
RUN mvn -B -q -f scripts/flink-cluster/pom.xml dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory=/build/lib

FROM flink:2.2.1-scala_2.12-java17
# On the parent classpath, loaded parent-first (classloader.parent-first-patterns.additional:
# ai.djl.): DJL's native library can be loaded only once per JVM.
COPY --from=djl --chown=flink:flink /build/lib/ /opt/flink/lib/
# The application-mode job jar the FlinkDeployment points at (local:///opt/flink/usrlib/rtml-job.jar).
COPY --chown=flink:flink job/target/rtml-job-0.1.0-SNAPSHOT-flink.jar /opt/flink/usrlib/rtml-job.jar
# The models the job may serve (-D model.repository=/opt/rtml/model-artifacts).
COPY --chown=flink:flink model-artifacts/ /opt/rtml/model-artifacts/
