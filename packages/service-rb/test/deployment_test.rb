# frozen_string_literal: true

require_relative "test_helper"

class DeploymentTest < Minitest::Test
  GET = Switchyard::Rpc.new(name: "Get", subject: "echo.v1.EchoService.Get")

  def test_the_default_is_the_service_name_with_the_ruby_suffix
    assert_equal "echo-rb", Switchyard::Deployment.default("echo").name
  end

  def test_names_the_deployment_s_endpoint_subject_and_queue_group
    deployment = Switchyard::Deployment.new("echo-rb")

    assert_equal "Get-echo-rb", deployment.endpoint_name(GET)
    assert_equal "switchyard.deployment.echo-rb.echo.v1.EchoService.Get", deployment.subject(GET)
    assert_equal "echo-rb", deployment.queue_group
  end

  def test_accepts_1_to_64_letters_digits_dashes_and_underscores
    ["a", "7", "echo-rb", "Echo_RB-2", "a" * 64].each do |name|
      assert_equal name, Switchyard::Deployment.new(name).name
    end
  end

  def test_refuses_anything_else_naming_the_variable
    ["", "-echo", "_echo", "a" * 65, "echo.rb", "echo rb", "echo*", "echo>", "écho", "echo\n", nil].each do |name|
      error = assert_raises(Switchyard::ConfigError, name.inspect) { Switchyard::Deployment.new(name) }
      assert_equal "SWITCHYARD_DEPLOYMENT", error.variable
      assert_equal "SWITCHYARD_DEPLOYMENT: \"#{name}\" is not a deployment name: 1 to 64 letters, digits, '-' or '_', " \
        "starting with a letter or digit", error.message
    end
  end
end
