fn main() -> std::process::ExitCode {
    ormhint::cli::main()
}
