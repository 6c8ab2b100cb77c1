package io.soundflow.tools.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soundflow.tools.CliRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --mic-device NAME} picks a device by exact name or a unique part of it, and names the choices otherwise. */
class DevicePickTest {
    static final List<MicCapture.Device> DEVICES = List.of(
            new MicCapture.Device("USB Audio [plughw:1,0]", "USB microphone"),
            new MicCapture.Device("HDA Intel PCH [plughw:0,0]", "Built-in"),
            new MicCapture.Device("HDA Intel PCH [plughw:0,2]", "Built-in, alt"));

    @Test
    void exactNameFirstThenAUniquePart() throws Exception {
        assertThat(MicCapture.pick(DEVICES, "HDA Intel PCH [plughw:0,2]").description()).isEqualTo("Built-in, alt");
        assertThat(MicCapture.pick(DEVICES, "usb").name()).isEqualTo("USB Audio [plughw:1,0]");
    }

    @Test
    void noneOrSeveralMatchingSayWhichDevicesThereAre() {
        assertThatThrownBy(() -> MicCapture.pick(DEVICES, "hda")).isInstanceOf(NoAudioDeviceException.class)
                .hasMessageContaining("2 capture devices match").hasMessageContaining("\"USB Audio [plughw:1,0]\"");
        assertThatThrownBy(() -> MicCapture.pick(DEVICES, "bluetooth")).isInstanceOf(NoAudioDeviceException.class)
                .hasMessageStartingWith("--mic-device bluetooth: no capture device matches");
        assertThatThrownBy(() -> MicCapture.pick(List.of(), "usb")).hasMessageContaining("there are no capture devices");
    }

    @Test
    void theDevicesCommandListsWhatTheSoundSystemHas() {
        CliRun r = CliRun.run("devices");
        assertThat(r.code()).isZero();
        List<MicCapture.Device> here = MicCapture.devices();
        if (here.isEmpty()) {
            assertThat(r.out()).startsWith("no audio capture devices");
        } else {
            assertThat(r.out().lines()).hasSize(here.size());
        }
    }

    @Test
    void micDeviceWithoutMicIsRefused() {
        CliRun r = CliRun.run("stream", "--model", "/nonexistent", "--wav", "/nonexistent.wav", "--mic-device", "usb");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--mic-device needs --mic");
    }
}
