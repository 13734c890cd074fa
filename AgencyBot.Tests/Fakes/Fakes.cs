// The Bot API emulator is part of the product (the AgencyBot.Sandbox project): the tests, the benchmark and sandbox
// mode all use the same one.
global using AgencyBot.Sandbox;
