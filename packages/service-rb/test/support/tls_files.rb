# frozen_string_literal: true

require "open3"

module Support
  # A CA, a server certificate for 127.0.0.1 and localhost, a client certificate signed by the CA
  # and one signed by another CA, made with `openssl` in a directory (packages/protocol/test/tls-files.ts
  # makes the same for the TypeScript tests).
  class TlsFiles
    attr_reader :dir

    def initialize(dir)
      @dir = dir
      File.write(path("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
      File.write(path("client.ext"), "extendedKeyUsage=clientAuth\n")
      self_signed("ca", "switchyard-test-ca")
      self_signed("other-ca", "another-ca")
      signed("server", "localhost", "ca", "server.ext")
      signed("client", "switchyard-client", "ca", "client.ext")
      signed("stranger", "stranger", "other-ca", "client.ext")
    end

    def path(name)
      File.join(dir, name)
    end

    def ca = path("ca.pem")

    # nats-server's tls block; verify: true asks every client for a certificate signed by the CA.
    def server_config(verify: true)
      "tls { cert_file: #{path("server.pem").inspect}, key_file: #{path("server.key").inspect}, " \
        "ca_file: #{ca.inspect}, verify: #{verify}, timeout: 2 }"
    end

    private

    def self_signed(name, cn)
      openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("#{name}.key"), "-out", path("#{name}.pem"),
        "-days", "1", "-subj", "/CN=#{cn}")
    end

    def signed(name, cn, ca, ext)
      openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("#{name}.key"), "-out", path("#{name}.csr"), "-subj", "/CN=#{cn}")
      openssl("x509", "-req", "-in", path("#{name}.csr"), "-CA", path("#{ca}.pem"), "-CAkey", path("#{ca}.key"), "-CAcreateserial",
        "-out", path("#{name}.pem"), "-days", "1", "-extfile", path(ext))
    end

    def openssl(*args)
      output, status = Open3.capture2e("openssl", *args)
      raise "openssl #{args.first} failed: #{output}" unless status.success?
    rescue Errno::ENOENT
      raise "openssl not found: install it (apt-get install openssl)"
    end
  end
end
