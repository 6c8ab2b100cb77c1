/** The example as a named module: SoundFlow's API is what io.soundflow.engine exports, nothing more. */
module example {
    requires io.soundflow.engine;
}
