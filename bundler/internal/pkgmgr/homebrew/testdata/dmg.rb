cask "hello" do
  version "1.2.3"
  sha256 "1654b3851cb236556832532125b8a5736b05d04e81f69f2dff3981b6c46c8a76"

  url "https://github.com/example/hello/releases/download/v1.2.3/hello_1.2.3_darwin_universal.dmg"
  name "Hello Desktop"
  desc "Small greeter"
  homepage "https://example.com/hello"

  depends_on macos: :monterey

  app "Hello Desktop.app"
end
