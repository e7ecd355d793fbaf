# frozen_string_literal: true

require_relative "test_helper"
require "net/http"
require "open3"
require "shellwords"
require "socket"

# The SDK as an outside service gets it: switchyard-service and switchyard-protovalidate built with
# `gem build`, installed with `gem install --local` into an empty GEM_HOME outside the repository
# (their own dependencies come from the gems already installed: no network), Ruby generated there
# for a contract of its own with grpc-tools' protoc (as README.md tells), a service run with plain
# `ruby`, served by a real gateway, and checked by the conformance suite's generic groups
# (packages/conformance/README.md, "Any contract"). The TypeScript SDK's counterpart is
# packages/service/test/package.test.ts.
class PackageTest < Support::NatsTest
  PACKAGE_DIR = File.expand_path("..", __dir__)
  REPO_ROOT = File.expand_path("../..", PACKAGE_DIR)
  GEMSPECS = {
    "switchyard-protovalidate" => File.join(REPO_ROOT, "packages/protovalidate-rb"),
    "switchyard-service" => PACKAGE_DIR
  }.freeze
  WAIT = 60 # seconds

  CONTRACT = <<~PROTO
    syntax = "proto3";

    package echo.v1;

    import "buf/validate/validate.proto";
    import "google/api/annotations.proto";

    service EchoService {
      rpc Echo(EchoRequest) returns (EchoResponse) {
        option (google.api.http) = {
          post: "/echo"
          body: "*"
        };
      }
    }

    message EchoRequest {
      string text = 1 [(buf.validate.field).cel = {
        id: "required"
        message: "text is required"
        expression: "this != ''"
      }];
    }

    message EchoResponse {
      string text = 1;
      string instance = 2;
    }
  PROTO

  SERVICE = <<~RUBY
    # frozen_string_literal: true

    $LOAD_PATH.unshift(File.expand_path("../lib/gen", __dir__))
    require "switchyard"
    require "echo/v1/echo_pb"

    # The contract's rule refuses an empty text before this runs.
    class Echoes
      def echo(request, call)
        Echo::V1::EchoResponse.new(text: "\#{call.rpc.name}: \#{request.text}", instance: call.instance_id)
      end
    end

    logger = Switchyard::Log.new($stdout, progname: "echo-rb")
    config = Switchyard::Config.from_env(ENV)
    runner = Switchyard::Runner.new(config: config, name: "echo-rb", logger: logger) do |client, _work_client|
      Switchyard::Server.new(
        client,
        contract: Switchyard::Contract.lookup("echo.v1.EchoService"),
        name: "echo", version: "1.0.0", implementation: Echoes.new, logger: logger,
        revision: config.revision, deployment: config.deployment
      )
    end
    exit runner.run
  RUBY

  class << self
    attr_reader :root, :app, :env

    # Built, installed and generated once for both tests.
    def start_suite
      @root = Dir.mktmpdir("switchyard-gems-")
      @app = File.join(root, "app")
      @env = outside_env(File.join(root, "gems"))
      gems = GEMSPECS.map do |name, dir|
        File.join(root, "#{name}.gem").tap { |out| run!(env, "gem", "build", "#{name}.gemspec", "--output=#{out}", chdir: dir) }
      end
      run!(env, "gem", "install", "--local", "--no-document", *gems, chdir: root)
      write_app
    end

    def stop_suite
      FileUtils.rm_rf(root) if root
    end

    # What a shell outside the repository has: no Bundler, an empty GEM_HOME for what is installed,
    # the gems already on this machine (where the bundle installed them) for the dependencies.
    def outside_env(gem_home)
      base = defined?(Bundler) ? Bundler.unbundled_env : ENV.to_h
      # A child inherits what its env does not name: unset each variable Bundler added (RUBYOPT).
      ENV.keys.to_h { |key| [key, nil] }.merge(base).merge("GEM_HOME" => gem_home, "GEM_PATH" => [gem_home, *Gem.path].uniq.join(File::PATH_SEPARATOR),
        "OTEL_EXPORTER_OTLP_ENDPOINT" => nil, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" => nil)
    end

    # The contract and the files it imports under proto/ (the user takes google/api from googleapis,
    # buf/validate from protovalidate), their Ruby in lib/gen, the service in bin/echo.
    def write_app
      imports = {
        "google/api/annotations.proto" => "node_modules/google-proto-files/google/api/annotations.proto",
        "google/api/http.proto" => "node_modules/google-proto-files/google/api/http.proto",
        "buf/validate/validate.proto" => ".tools/protos/buf/validate/validate.proto"
      }
      run!(ENV.to_h, "node", "scripts/validate-proto.mjs", chdir: REPO_ROOT) unless File.exist?(File.join(REPO_ROOT, imports["buf/validate/validate.proto"]))
      imports.each do |path, source|
        FileUtils.mkdir_p(File.join(app, "proto", File.dirname(path)))
        FileUtils.cp(File.join(REPO_ROOT, source), File.join(app, "proto", path))
      end
      FileUtils.mkdir_p(File.join(app, "proto/echo/v1"))
      File.write(File.join(app, "proto/echo/v1/echo.proto"), CONTRACT)
      FileUtils.mkdir_p([File.join(app, "lib/gen"), File.join(app, "bin")])
      protos = [*imports.keys, "echo/v1/echo.proto"]
      protoc("-I", "proto", "--ruby_out=lib/gen", *protos)
      protoc("-I", "proto", "--include_imports", "--descriptor_set_out=#{descriptors}", "echo/v1/echo.proto")
      File.write(File.join(app, "bin/echo"), SERVICE)
    end

    def descriptors
      File.join(root, "echo.binpb")
    end

    # grpc-tools' protoc, from the bundle, as README.md has the user run it.
    def protoc(*args)
      run!(ENV.to_h, RbConfig.ruby, Gem.bin_path("grpc-tools", "grpc_tools_ruby_protoc"), *args, chdir: app)
    end

    def run!(env, *command, chdir:)
      out, status = Open3.capture2e(env, *command, chdir: chdir)
      raise "#{command.join(" ")} failed in #{chdir}:\n#{out}" unless status.success?

      out
    end
  end

  def env
    self.class.env
  end

  def app
    self.class.app
  end

  def teardown
    @children&.each { |pid, _| stop(pid) }
  end

  def test_the_installed_gems_are_the_ones_the_service_loads
    out = self.class.run!(env, RbConfig.ruby, "-e", 'require "switchyard"; puts $LOADED_FEATURES.grep(/switchyard\/(dispatcher|protovalidate)\.rb\z/)', chdir: app)
    loaded = out.lines.map(&:strip)
    assert_equal 2, loaded.size, out
    loaded.each { |path| assert path.start_with?(File.join(self.class.root, "gems")), "#{path} comes from the installed gems" }
  end

  def test_runs_a_service_the_gateway_serves_from_the_contract_it_carries
    spawn_child("service", env.merge("NATS_URL" => nats.url, "SWITCHYARD_DEPLOYMENT" => "echo-outside"), RbConfig.ruby, "bin/echo", chdir: app)
    port = free_port
    spawn_child("gateway", gateway_env(port), "node", "--import", "tsx", "packages/gateway/src/main.ts", chdir: REPO_ROOT)

    response = wait_for_echo(port)
    body = JSON.parse(response.body)
    assert_equal "Echo: hi", body["text"]
    assert_match(/\A\w{10,}\z/, body["instance"])

    refused = post(port, "")
    assert_equal "400", refused.code, refused.body
    problem = JSON.parse(refused.body)
    assert_equal ["INVALID_ARGUMENT", "text", "text is required"], problem.values_at("code", "field", "detail")
  end

  def test_passes_the_conformance_suite_s_generic_checks
    target = "cd #{app.shellescape} && exec #{RbConfig.ruby.shellescape} bin/echo"
    # The suite's node inherits the outside environment, and passes it on to the service it starts.
    conformance = env.merge(
      "CONFORMANCE_SERVICE" => "echo.v1.EchoService", "CONFORMANCE_DESCRIPTORS" => self.class.descriptors,
      "CONFORMANCE_NAME" => "echo"
    )
    out, status = Open3.capture2e(conformance, "node", "--import", "tsx", "packages/conformance/src/cli.ts", target, chdir: REPO_ROOT)
    assert status.success?, "the conformance suite's generic checks failed:\n#{out}"
  end

  private

  def gateway_env(port)
    ENV.to_h.merge(
      "NATS_URL" => nats.url, "PORT" => port.to_s, "HOST" => "127.0.0.1", "LOG_LEVEL" => "warn",
      "DISCOVERY_INTERVAL_MS" => "300", "READY_NEEDS_INSTANCES" => "false", "ACCEPT_SERVICE_CONTRACTS" => "true"
    )
  end

  def spawn_child(name, env, *command, chdir:)
    out = File.join(self.class.root, "#{name}.log")
    pid = Process.spawn(env, *command, chdir: chdir, out: out, err: out, pgroup: true)
    (@children ||= {})[pid] = out
  end

  def wait_for_echo(port)
    deadline = Switchyard::Deadline.now + WAIT
    loop do
      response = begin
        post(port, "hi")
      rescue SystemCallError, IOError, Net::ReadTimeout
        nil
      end
      return response if response&.code == "200"

      @children.each do |pid, log|
        flunk "#{log} exited:\n#{File.read(log)}" if Process.wait2(pid, Process::WNOHANG)
      end
      if Switchyard::Deadline.now > deadline
        flunk "POST /echo never answered 200 (last: #{response&.code} #{response&.body})\n" +
          @children.values.map { |log| "#{log}:\n#{File.read(log)}" }.join("\n")
      end
      sleep 0.2
    end
  end

  def post(port, text)
    Net::HTTP.start("127.0.0.1", port, open_timeout: 2, read_timeout: 10) do |http|
      http.post("/echo", JSON.generate(text: text), "Content-Type" => "application/json")
    end
  end

  def free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end

  def stop(pid)
    Process.kill("TERM", -pid)
    deadline = Switchyard::Deadline.now + 10
    until Process.wait2(pid, Process::WNOHANG)
      if Switchyard::Deadline.now > deadline
        Process.kill("KILL", -pid)
        Process.wait(pid)
        break
      end
      sleep 0.05
    end
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  end
end
