package dev.signet.e2e;

import dev.signet.testing.KubeTestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a kubelet does for a pod, minus the container runtime: reports the pod Running and Ready
 * with an IP, and gives one container its environment (values, field and resource references,
 * {@code $(VAR)} expansion) and its volumes (Secrets, ConfigMaps, projected service-account
 * tokens from the TokenRequest API bound to the pod, downward API files, emptyDirs), written
 * under a directory that stands for the container's root: mount {@code /a/b} is
 * {@code <rootfs>/a/b}, and environment values and arguments naming a path under a mount are
 * rewritten to it. The program then runs as a plain process in {@code <rootfs>}, so its relative
 * default paths land in the same tree.
 */
final class FakeKubelet {
  static final String NODE = "node-1";
  static final String HOST_IP = "10.0.0.1";
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final KubeTestCluster kube;

  FakeKubelet(KubeTestCluster kube) {
    this.kube = kube;
  }

  /** A container ready to start: its root, arguments and environment. */
  record Launch(Path rootfs, List<String> args, Map<String, String> env) {
    /** {@code path} inside the container, as a path on this machine. */
    Path file(String path) {
      return rootfs.resolve(path.startsWith("/") ? path.substring(1) : path);
    }
  }

  /** Reports the pod scheduled, Running and Ready at {@code podIp}, and returns it. */
  Pod reportRunning(Pod pod, String podIp) {
    Pod current = kube.admin().pods().inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName()).get();
    String now = Instant.now().toString();
    current.getStatus().setPhase("Running");
    current.getStatus().setPodIP(podIp);
    current.getStatus().setPodIPs(List.of(new PodIPBuilder().withIp(podIp).build()));
    current.getStatus().setHostIP(HOST_IP);
    current.getStatus().setStartTime(now);
    current.getStatus().setConditions(List.of(
        new PodConditionBuilder().withType("PodScheduled").withStatus("True")
            .withLastTransitionTime(now).build(),
        new PodConditionBuilder().withType("Initialized").withStatus("True")
            .withLastTransitionTime(now).build(),
        new PodConditionBuilder().withType("ContainersReady").withStatus("True")
            .withLastTransitionTime(now).build(),
        new PodConditionBuilder().withType("Ready").withStatus("True")
            .withLastTransitionTime(now).build()));
    return kube.admin().pods().inNamespace(pod.getMetadata().getNamespace())
        .resource(current).updateStatus();
  }

  /** Prepares {@code container} of the (running) pod under {@code rootfs}. */
  Launch prepare(Pod pod, String container, Path rootfs) throws IOException {
    Container c = pod.getSpec().getContainers().stream()
        .filter(x -> x.getName().equals(container)).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + container + " in pod "
            + pod.getMetadata().getName()));
    Files.createDirectories(rootfs);
    List<String> mounts = new ArrayList<>();
    for (VolumeMount m : c.getVolumeMounts()) {
      mount(pod, m, rootfs);
      mounts.add(m.getMountPath());
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv()) {
      String v = e.getValueFrom() == null ? expand(e.getValue(), env) : valueFrom(pod, e);
      if (v != null) {
        env.put(e.getName(), inRootfs(v, mounts, rootfs));
      }
    }
    List<String> args = new ArrayList<>();
    for (String a : c.getArgs()) {
      args.add(inRootfs(expand(a, env), mounts, rootfs));
    }
    return new Launch(rootfs, args, env);
  }

  private static String expand(String value, Map<String, String> env) {
    if (value == null) {
      return "";
    }
    Matcher m = VAR.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A value naming a path under one of the mounts (or a mount itself), moved into rootfs. */
  private static String inRootfs(String value, List<String> mounts, Path rootfs) {
    for (String m : mounts) {
      String dir = m.endsWith("/") ? m : m + "/";
      if (value.equals(m) || value.startsWith(dir)) {
        return rootfs + value;
      }
    }
    return value;
  }

  private String valueFrom(Pod pod, EnvVar e) {
    var from = e.getValueFrom();
    if (from.getFieldRef() != null) {
      return field(pod, from.getFieldRef());
    }
    if (from.getResourceFieldRef() != null) {
      // No limit set: the kubelet gives the node's allocatable amount.
      return from.getResourceFieldRef().getResource().contains("cpu")
          ? String.valueOf(Runtime.getRuntime().availableProcessors())
          : String.valueOf(4L << 30);
    }
    if (from.getConfigMapKeyRef() != null) {
      ConfigMap cm = kube.admin().configMaps().inNamespace(pod.getMetadata().getNamespace())
          .withName(from.getConfigMapKeyRef().getName()).get();
      return cm == null ? null : cm.getData().get(from.getConfigMapKeyRef().getKey());
    }
    if (from.getSecretKeyRef() != null) {
      Secret s = kube.admin().secrets().inNamespace(pod.getMetadata().getNamespace())
          .withName(from.getSecretKeyRef().getName()).get();
      return s == null ? null : decode(s.getData().get(from.getSecretKeyRef().getKey()));
    }
    throw new AssertionError("unsupported env source for " + e.getName());
  }

  private static String field(Pod pod, ObjectFieldSelector ref) {
    String path = ref.getFieldPath();
    Matcher indexed = Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]").matcher(path);
    if (indexed.matches()) {
      Map<String, String> m = indexed.group(1).equals("labels")
          ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
      return m == null ? "" : m.getOrDefault(indexed.group(2), "");
    }
    return switch (path) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "status.podIP" -> pod.getStatus().getPodIP();
      case "status.podIPs" -> pod.getStatus().getPodIP();
      case "status.hostIP" -> pod.getStatus().getHostIP();
      default -> throw new AssertionError("unsupported field reference " + path);
    };
  }

  private void mount(Pod pod, VolumeMount m, Path rootfs) throws IOException {
    var volume = pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(m.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + m.getName()));
    Path target = rootfs.resolve(m.getMountPath().substring(1));
    Files.createDirectories(target);
    String ns = pod.getMetadata().getNamespace();
    if (volume.getSecret() != null) {
      Secret s = kube.admin().secrets().inNamespace(ns)
          .withName(volume.getSecret().getSecretName()).get();
      if (s != null) {
        writeAll(target, decoded(s.getData()), volume.getSecret().getItems());
      }
    } else if (volume.getConfigMap() != null) {
      ConfigMap cm = kube.admin().configMaps().inNamespace(ns)
          .withName(volume.getConfigMap().getName()).get();
      if (cm != null) {
        writeAll(target, cm.getData(), volume.getConfigMap().getItems());
      }
    } else if (volume.getProjected() != null) {
      for (VolumeProjection p : volume.getProjected().getSources()) {
        project(pod, p, target);
      }
    } else if (volume.getDownwardAPI() != null) {
      for (DownwardAPIVolumeFile f : volume.getDownwardAPI().getItems()) {
        write(target.resolve(f.getPath()), downward(pod, f));
      }
    }
    // emptyDir, hostPath and the rest: an empty directory.
  }

  private void project(Pod pod, VolumeProjection p, Path target) throws IOException {
    String ns = pod.getMetadata().getNamespace();
    if (p.getServiceAccountToken() != null) {
      var t = p.getServiceAccountToken();
      long seconds = Math.max(600, Optional.ofNullable(t.getExpirationSeconds()).orElse(3600L));
      String audience = t.getAudience() == null ? "https://kubernetes.default.svc"
          : t.getAudience();
      write(target.resolve(t.getPath()), kube.token(ns, pod.getSpec().getServiceAccountName(),
          audience, Optional.of(pod), Duration.ofSeconds(seconds)));
    } else if (p.getConfigMap() != null) {
      ConfigMap cm = kube.admin().configMaps().inNamespace(ns).withName(p.getConfigMap().getName())
          .get();
      if (cm != null) {
        writeAll(target, cm.getData(), p.getConfigMap().getItems());
      }
    } else if (p.getSecret() != null) {
      Secret s = kube.admin().secrets().inNamespace(ns).withName(p.getSecret().getName()).get();
      if (s != null) {
        writeAll(target, decoded(s.getData()), p.getSecret().getItems());
      }
    } else if (p.getDownwardAPI() != null) {
      for (DownwardAPIVolumeFile f : p.getDownwardAPI().getItems()) {
        write(target.resolve(f.getPath()), downward(pod, f));
      }
    }
  }

  private static String downward(Pod pod, DownwardAPIVolumeFile f) {
    if (f.getFieldRef() == null) {
      return "";
    }
    String path = f.getFieldRef().getFieldPath();
    if (path.equals("metadata.labels") || path.equals("metadata.annotations")) {
      Map<String, String> m = path.equals("metadata.labels") ? pod.getMetadata().getLabels()
          : pod.getMetadata().getAnnotations();
      StringBuilder out = new StringBuilder();
      new TreeMap<>(m == null ? Map.<String, String>of() : m).forEach((k, v) -> out.append(k)
          .append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")
              .replace("\n", "\\n")).append("\"\n"));
      return out.toString();
    }
    return field(pod, f.getFieldRef());
  }

  private static Map<String, String> decoded(Map<String, String> data) {
    Map<String, String> out = new LinkedHashMap<>();
    if (data != null) {
      data.forEach((k, v) -> out.put(k, decode(v)));
    }
    return out;
  }

  private static String decode(String b64) {
    return b64 == null ? null
        : new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static void writeAll(Path dir, Map<String, String> data, List<KeyToPath> items) {
    if (data == null) {
      return;
    }
    if (items == null || items.isEmpty()) {
      data.forEach((k, v) -> write(dir.resolve(k), v));
    } else {
      items.forEach(i -> {
        if (data.containsKey(i.getKey())) {
          write(dir.resolve(i.getPath()), data.get(i.getKey()));
        }
      });
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content == null ? "" : content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
